import { readFile } from 'node:fs/promises'
import { parseAst } from 'vitest/node'
import { processSingleton } from '../shared/process-singleton.js'

/**
 * The tags of every test a file declares, read from its source without running it, or `undefined`
 * when the source alone cannot say for sure. Vitest's own static collector (`experimental.preParse`)
 * drops tags it cannot read; a pipeline must never lose a test that way, so here any doubt keeps the
 * file: tags that are not string literals, options passed as a variable, a call at collection level
 * that may declare tests elsewhere (`isolationSuite('a')`, `cases.forEach(…)`), no test found at all.
 */
export interface StaticFile {
  /** One entry per test (in `each` tables: per declaration), with inherited and `@module-tag` tags. */
  tests: string[][]
}

// biome-ignore lint/suspicious/noExplicitAny: an ESTree node, read structurally
type Node = any

const TESTS = new Set(['test', 'it', 'bench'])
const SUITES = new Set(['describe', 'suite'])

/**
 * The names under which this file calls Vitest's `test` and `describe`: their own, what an import
 * renames (`import { test as vitestTest }`, a plugin's `test`), and what a declaration derives
 * (`const awsTest = test.extend(…)`, `const it = test`).
 */
interface Names {
  tests: Set<string>
  suites: Set<string>
  /** Testbed's `journey`: its steps are tests that all carry the journey's tags (steps add none). */
  journeys: Set<string>
}
const HOOKS = new Set([
  'beforeAll',
  'afterAll',
  'beforeEach',
  'afterEach',
  'aroundAll',
  'aroundEach',
  'onTestFinished',
  'onTestFailed',
])
/** Calls on `test` that configure it rather than declare a test. */
const CONFIGURING = new Set(['extend', 'scoped', 'override'])
const SAFE_ROOTS = new Set(['vi', 'expect', 'expectTypeOf', 'assertType'])

class Doubt extends Error {}

/** `test.skip.each(table)` → root `test`, properties `skip`, `each`. */
function chain(callee: Node): { root?: string; properties: string[] } {
  if (callee?.type === 'Identifier') return { root: callee.name, properties: [] }
  if (callee?.type === 'CallExpression') return chain(callee.callee)
  if (callee?.type === 'TaggedTemplateExpression') return chain(callee.tag)
  if (callee?.type === 'MemberExpression' && !callee.computed && callee.property?.type === 'Identifier') {
    const inner = chain(callee.object)
    return { root: inner.root, properties: [...inner.properties, callee.property.name] }
  }
  return { properties: [] }
}

function literalTags(value: Node): string[] {
  if (value?.type === 'Literal' && typeof value.value === 'string') return [value.value]
  if (value?.type === 'ArrayExpression') return value.elements.flatMap(literalTags)
  throw new Doubt()
}

function optionTags(args: readonly Node[]): string[] {
  const tags: string[] = []
  for (const arg of args.slice(1)) {
    // Vitest 5 takes `(name, fn, timeout)` or `(name, options, fn)`: what follows the function is a
    // timeout, however it is written (`minutes(8)`), and never carries tags.
    if (arg.type === 'ArrowFunctionExpression' || arg.type === 'FunctionExpression') break
    if (arg.type === 'Literal' && typeof arg.value === 'number') continue // a timeout
    if (arg.type !== 'ObjectExpression') throw new Doubt() // options from a variable
    for (const property of arg.properties) {
      if (property.type !== 'Property' || property.computed) throw new Doubt()
      const key = property.key.type === 'Identifier' ? property.key.name : property.key.value
      if (key === 'tags') tags.push(...literalTags(property.value))
    }
  }
  return tags
}

function callbackBody(args: readonly Node[]): Node[] {
  const fn = args.find((a) => a.type === 'ArrowFunctionExpression' || a.type === 'FunctionExpression')
  if (!fn) return []
  return fn.body.type === 'BlockStatement'
    ? fn.body.body
    : [{ type: 'ExpressionStatement', expression: fn.body }]
}

/** How many `.step(…)` calls a journey's `define` chains (at least one: only the report counts them). */
function journeySteps(args: readonly Node[]): number {
  const [body] = callbackBody(args)
  let node = body?.type === 'ExpressionStatement' ? body.expression : undefined
  let steps = 0
  while (node?.type === 'CallExpression' && node.callee?.type === 'MemberExpression') {
    if (node.callee.property?.name === 'step') steps++
    node = node.callee.object
  }
  return Math.max(steps, 1)
}

function imports(declaration: Node, names: Names): void {
  for (const specifier of declaration.specifiers) {
    if (specifier.type !== 'ImportSpecifier') continue
    const imported =
      specifier.imported.type === 'Identifier' ? specifier.imported.name : specifier.imported.value
    if (TESTS.has(imported)) names.tests.add(specifier.local.name)
    if (SUITES.has(imported)) names.suites.add(specifier.local.name)
    if (imported === 'journey' && declaration.source.value === '@testbed/core')
      names.journeys.add(specifier.local.name)
  }
}

/**
 * `const awsTest = test.extend(…)` (or `= test`) is one more name for `test`; `const suite =
 * describe(…)` declares tests that this reading does not follow.
 */
function declarations(declaration: Node, names: Names): void {
  for (const { id, init } of declaration.declarations) {
    const value = init?.type === 'AwaitExpression' ? init.argument : init
    const alias = value?.type === 'Identifier' ? { root: value.name, properties: [] } : undefined
    if (value?.type !== 'CallExpression' && !alias) continue
    const { root, properties } = alias ?? chain(value.callee)
    if (!root || !(names.suites.has(root) || names.tests.has(root))) continue
    const configures = alias !== undefined || properties.some((p) => CONFIGURING.has(p))
    if (!configures) throw new Doubt()
    if (id.type === 'Identifier') (names.tests.has(root) ? names.tests : names.suites).add(id.name)
  }
}

function collect(statements: readonly Node[], inherited: string[], tests: string[][], names: Names): void {
  for (const statement of statements) {
    switch (statement.type) {
      case 'ExpressionStatement': {
        // A bare call may declare tests out of sight; what is assigned is taken to declare none, as in
        // `const file = fixturePath('x')` or `process.env.X = '1'`.
        const call =
          statement.expression.type === 'AwaitExpression'
            ? statement.expression.argument
            : statement.expression
        if (call.type !== 'CallExpression') {
          if (call.type === 'AssignmentExpression' || call.type === 'Literal') continue
          throw new Doubt()
        }
        const { root, properties } = chain(call.callee)
        if (root && (HOOKS.has(root) || SAFE_ROOTS.has(root))) continue
        if (root !== undefined && names.journeys.has(root) && !properties.length) {
          // `journey(name, { tags }, (j) => j.step(…).step(…))`: each step a test with the journey's tags.
          const tags = [...new Set([...inherited, ...optionTags(call.arguments)])]
          for (let i = 0; i < journeySteps(call.arguments); i++) tests.push(tags)
          continue
        }
        const isTest = root !== undefined && names.tests.has(root)
        if (isTest && properties.some((p) => CONFIGURING.has(p))) continue
        const suite =
          root !== undefined && (names.suites.has(root) || (isTest && properties.includes('describe')))
        if (!suite && !isTest) throw new Doubt() // may declare tests we cannot see
        const tags = [...new Set([...inherited, ...optionTags(call.arguments)])]
        if (suite) collect(callbackBody(call.arguments), tags, tests, names)
        else tests.push(tags)
        break
      }
      case 'BlockStatement':
        collect(statement.body, inherited, tests, names)
        break
      case 'IfStatement':
        collect([statement.consequent, statement.alternate].filter(Boolean), inherited, tests, names)
        break
      case 'ForStatement':
      case 'ForOfStatement':
      case 'ForInStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
        collect([statement.body], inherited, tests, names)
        break
      case 'VariableDeclaration':
        declarations(statement, names)
        break
      case 'ImportDeclaration': // read before the first statement: imports are hoisted
      case 'FunctionDeclaration':
      case 'ClassDeclaration':
      case 'EmptyStatement':
      case 'ReturnStatement':
        break
      default:
        // Type declarations say nothing about tests; exports may declare them (`export const x = describe(…)`).
        if (statement.type.startsWith('TS')) break
        if (statement.type.startsWith('Export')) {
          if (statement.declaration?.type === 'VariableDeclaration')
            declarations(statement.declaration, names)
          break
        }
        throw new Doubt()
    }
  }
}

/** `// @module-tag name` or ` * @module-tag name`: tags for every test of the file, as Vitest reads them. */
function moduleTags(source: string): string[] {
  return [...source.matchAll(/(\/\/|\*)\s*@module-tag\s+([\w\-/]+)\b/g)].map((m) => m[2] as string)
}

export function staticTags(source: string, filename: string): StaticFile | undefined {
  const lang = /\.[cm]?tsx$/.test(filename)
    ? 'tsx'
    : /\.[cm]?ts$/.test(filename)
      ? 'ts'
      : /\.jsx$/.test(filename)
        ? 'jsx'
        : 'js'
  try {
    const program = parseAst(source, { lang, sourceType: 'module' })
    const tests: string[][] = []
    const names: Names = { tests: new Set(TESTS), suites: new Set(SUITES), journeys: new Set() }
    for (const statement of program.body)
      if (statement.type === 'ImportDeclaration') imports(statement, names)
    collect(program.body, moduleTags(source), tests, names)
    return tests.length ? { tests } : undefined
  } catch {
    return undefined // a Doubt, or a file the parser rejects (Vitest will report it when it runs)
  }
}

interface Source {
  text: string | undefined
  parsed?: StaticFile | undefined
}
// Shared by every pipeline of the run (each project may load this module through its own graph).
const sources = processSingleton('static-tags', () => new Map<string, Promise<Source>>())

/**
 * The file's tests, by their tags, when its source says for sure that none satisfies `selects`;
 * otherwise `undefined`. Each file is read and parsed once per main process however many pipelines
 * ask, and parsed only when it mentions tags.
 */
/** The file's source and what parsing it said, read and parsed once per main process. */
async function sourceOf(file: string): Promise<Source> {
  let entry = sources.get(file)
  if (!entry) {
    entry = readFile(file, 'utf8').then(
      (text) => ({ text }),
      () => ({ text: undefined }),
    )
    sources.set(file, entry)
  }
  return entry
}

/**
 * The tags of each test of the file that `selects` takes, when its source says for sure which those
 * are; `undefined` when it does not (a file without tags, or a doubt).
 */
export async function selectedTestsTags(
  file: string,
  selects: (tags: readonly string[]) => boolean,
): Promise<string[][] | undefined> {
  const source = await sourceOf(file)
  if (source.text === undefined || !source.text.includes('requires_')) return undefined
  if (!('parsed' in source)) source.parsed = staticTags(source.text, file)
  return source.parsed?.tests.filter(selects)
}

export async function testsNoneSelected(
  file: string,
  selects: (tags: readonly string[]) => boolean,
): Promise<string[][] | undefined> {
  const source = await sourceOf(file)
  if (source.text === undefined) return undefined
  // Without any tags every test it has is untagged: a selection that takes untagged tests takes them.
  if (selects([]) && !source.text.includes('tags') && !source.text.includes('@module-tag')) return undefined
  if (!('parsed' in source)) source.parsed = staticTags(source.text, file)
  const tests = source.parsed?.tests
  return tests && !tests.some(selects) ? tests : undefined
}
