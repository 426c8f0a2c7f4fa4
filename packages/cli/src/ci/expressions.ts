// GitHub's expression language, evaluated with GitHub's own evaluator (@actions/expressions): the
// `${{ … }}` in names, env and run scripts, and job conditions (`if:`) with the status functions.
import { data, Evaluator, Lexer, Parser } from '@actions/expressions'
import type { FunctionDefinition } from '@actions/expressions/funcs/info'

/** The contexts a local run knows; any other reads as empty (`secrets`, `vars`, `steps`, …). */
export interface ExpressionContexts {
  github?: Record<string, string>
  matrix?: Record<string, unknown>
  inputs?: Record<string, unknown>
  env?: Record<string, string>
  needs?: Record<string, { result: string; outputs: Record<string, string> }>
}

const KNOWN = [
  'matrix',
  'inputs',
  'env',
  'needs',
  'github',
  'vars',
  'secrets',
  'strategy',
  'runner',
  'steps',
  'job',
]

const toData = (value: unknown): data.ExpressionData =>
  JSON.parse(JSON.stringify(value ?? null), data.reviver) as data.ExpressionData

function dictionary(contexts: ExpressionContexts): data.Dictionary {
  const d = new data.Dictionary()
  for (const name of KNOWN) d.add(name, toData((contexts as Record<string, unknown>)[name] ?? {}))
  return d
}

/** The status functions of a job condition: success() and failure() over the job's ancestors. */
export interface JobStatus {
  success: boolean
  failure: boolean
  cancelled: boolean
}

const statusFunctions = (status: JobStatus): FunctionDefinition[] => [
  { name: 'success', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(status.success) },
  { name: 'failure', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(status.failure) },
  { name: 'cancelled', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(status.cancelled) },
  { name: 'always', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(true) },
  // hashFiles needs the runner's files; locally it is empty, as for no match.
  { name: 'hashFiles', minArgs: 1, maxArgs: 255, call: () => new data.StringData('') },
]

export function evaluate(
  expression: string,
  contexts: ExpressionContexts,
  status?: JobStatus,
): data.ExpressionData {
  const functions = statusFunctions(status ?? { success: true, failure: false, cancelled: false })
  const lexed = new Lexer(expression).lex()
  const parsed = new Parser(lexed.tokens, KNOWN, functions).parse()
  // The evaluator looks functions up by their lower-cased name.
  const byName = new Map(functions.map((f) => [f.name.toLowerCase(), f]))
  return new Evaluator(parsed, dictionary(contexts), byName).evaluate()
}

/** GitHub's truthiness: false, 0, '', null are false. */
export function truthy(value: data.ExpressionData): boolean {
  if (value instanceof data.Null) return false
  if (value instanceof data.BooleanData) return value.value
  if (value instanceof data.NumberData) return value.value !== 0 && !Number.isNaN(value.value)
  if (value instanceof data.StringData) return value.value !== ''
  return true
}

const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g

/** `text` with every `${{ … }}` replaced by its value (a context not known locally reads as ''). */
export function substitute(text: string, contexts: ExpressionContexts): string {
  return text.replace(EXPRESSION, (_, expression: string) => {
    const value = evaluate(expression.trim(), contexts)
    return value instanceof data.Null ? '' : value.coerceString()
  })
}

export const hasExpression = (text: string) => /\$\{\{/.test(text)

/** A job condition's status functions, as GitHub decides them: none named means `success() && (…)`. */
export const namesStatusFunction = (expression: string) =>
  /\b(success|failure|cancelled|always)\s*\(/.test(expression)

/** `if:` without its optional `${{ }}`. */
export const conditionText = (text: string) =>
  text
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
    .trim()
