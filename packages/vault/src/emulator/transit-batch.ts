// Transit's batch semantics: `batch_input` read as Vault's decodeBatchRequestItems reads it, each
// item's failure kept in its result, and the status batchRequestResponse gives.
import { type Fields, intField } from './fields.js'
import { badRequest, coded, multiError, ok, VaultError, type VaultResponse } from './responses.js'

/** One item of `batch_input`, or the single request's own fields. */
export interface Item {
  plaintext?: string
  ciphertext?: string
  context?: string
  key_version?: number
  reference?: string
}

export interface Result {
  plaintext?: string
  ciphertext?: string
  key_version?: number
  error?: string
  reference?: string
}

/** Vault's decodeBatchRequestItems: a malformed batch fails the whole request (500, as Vault's core wraps it). */
export function batchInput(data: Fields, requirePlaintext: boolean): Item[] | undefined {
  const raw = data.batch_input
  if (raw === undefined || raw === null) return undefined
  const failed = (why: string) => new VaultError(500, multiError(`failed to parse batch input: ${why}`))
  if (!Array.isArray(raw)) throw failed(`source data must be an array or slice, got ${typeof raw}`)
  const problems: string[] = []
  const items = raw.map((entry: unknown, i): Item => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry))
      throw failed(`[${i}] expected a map, got '${Array.isArray(entry) ? 'array' : typeof entry}'`)
    const fields = entry as Fields
    const item: Item = {}
    for (const name of ['plaintext', 'ciphertext', 'context', 'reference'] as const) {
      const value = fields[name]
      if (typeof value === 'string') item[name] = value
      else if (value !== undefined && (value !== null || name === 'plaintext'))
        problems.push(`'[${i}].${name}' expected type 'string', got unconvertible type '${typeof value}'`)
    }
    if (requirePlaintext && !('plaintext' in fields))
      problems.push(`'[${i}].plaintext' missing plaintext to encrypt`)
    try {
      item.key_version = intField(fields, 'key_version')
    } catch {
      problems.push(
        `'[${i}].key_version' expected type 'int', got unconvertible type '${typeof fields.key_version}'`,
      )
    }
    return item
  })
  if (problems.length)
    throw failed(
      `${problems.length} error(s) decoding:\n\n${problems
        .map((p) => `* ${p}`)
        .sort()
        .join('\n')}`,
    )
  if (items.length === 0) throw badRequest('missing batch input to process')
  return items
}

/** Vault's rule for a request that carries a context: in every item or in none. */
export function contextSet(items: Item[]): boolean {
  const set = Boolean(items[0]?.context)
  if (items.some((item) => Boolean(item.context) !== set))
    throw badRequest('context should be set either in all the request blocks or in none')
  return set
}

/** Each item's own failure, kept in its result as Vault's batch endpoints do. */
export function attempt(work: () => Result): Result {
  try {
    return work()
  } catch (error) {
    if (error instanceof VaultError && error.status === 400) return { error: error.message }
    throw error
  }
}

/**
 * Vault's batchRequestResponse: 200 when every item succeeded; else 400, or `partial_failure_response_code`
 * when some succeeded, with the results in the body either way.
 */
function batchResponse(data: Fields, results: Result[], strict: boolean): VaultResponse {
  const body = { batch_results: results }
  const failures = results.filter((r) => r.error !== undefined).length
  if (!strict || failures === 0) return ok(body, 'transit')
  const override = intField(data, 'partial_failure_response_code')
  if (override === undefined || failures === results.length) return coded(400, body)
  if (override < 1 || override > 599)
    return coded(400, body, [
      'invalid HTTP response code override from partial_failure_response_code, reverting to 400',
    ])
  return coded(override, body)
}

/**
 * The answer to an encrypt, decrypt or rewrap: a single request fails with its item's error; a batch
 * lists every item's result (the `fields` of it, Go's omitempty applied) with its `reference`.
 * `strict`: whether failed items make the status 400 (rewrap answers 200 regardless).
 */
export function reply(
  data: Fields,
  batch: Item[] | undefined,
  results: Result[],
  fields: (result: Result) => Result,
  strict = true,
): VaultResponse {
  if (!batch) {
    const [only] = results as [Result]
    if (only.error !== undefined) throw badRequest(only.error)
    return ok(fields(only), 'transit')
  }
  const listed = results.map((result, i) => {
    const shown = fields(result)
    const entry: Result = {}
    if ('plaintext' in shown) entry.plaintext = shown.plaintext ?? '' // decrypt's is always there
    if (shown.ciphertext) entry.ciphertext = shown.ciphertext
    if (shown.key_version) entry.key_version = shown.key_version
    if (result.error !== undefined) entry.error = result.error
    entry.reference = batch[i]?.reference ?? ''
    return entry
  })
  return batchResponse(data, listed, strict)
}
