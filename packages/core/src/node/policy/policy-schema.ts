import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { Ajv, ErrorObject } from 'ajv'
import type { Policy } from './policy.js'

/** The published JSON Schema (`@testbed/core/policy.schema.json`). */
export const policySchemaPath = fileURLToPath(new URL('../../../policy.schema.json', import.meta.url))

let validate: ReturnType<Ajv['compile']> | undefined

/** A field's path as the policy's author reads it: `pipelines.main.retries.max`. */
function fieldOf(pointer: string): string {
  const path = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
  return path.length ? path.join('.') : '(the top level)'
}

function describe(error: ErrorObject): string {
  const at = fieldOf(error.instancePath)
  const join = (field: string) => (error.instancePath ? `${at}.${field}` : field)
  switch (error.keyword) {
    case 'required':
      return `${join(String(error.params.missingProperty))} is required`
    case 'additionalProperties':
      return `${join(String(error.params.additionalProperty))} is not a field the schema knows`
    case 'enum':
      return `${at} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    default:
      return `${at} ${error.message}`
  }
}

/** Every way the value fails the schema, each naming its field; empty when it is a valid policy. */
export function policyProblems(value: unknown): string[] {
  if (!validate) {
    // ajv is required on first use (it is CommonJS, so synchronously): loading it costs a run's start
    // a fifth of a second, and most runs have no policy to check.
    const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv')
    validate = new AjvClass({ allErrors: true, strict: true }).compile(
      JSON.parse(readFileSync(policySchemaPath, 'utf8')) as object,
    )
  }
  if (validate(value)) return []
  return (validate.errors ?? []).map(describe)
}

export const isPolicy = (value: unknown): value is Policy => policyProblems(value).length === 0
