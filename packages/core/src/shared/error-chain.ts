/** What an error wraps: its `cause` and, for an AggregateError (several addresses tried), its `errors`. */
function inner(error: object): unknown[] {
  const { cause, errors } = error as { cause?: unknown; errors?: unknown }
  return [cause, ...(Array.isArray(errors) ? errors : [])].filter((e) => e && typeof e === 'object')
}

/**
 * The error and everything it wraps, depth first, at most `maxDepth` levels down. Node's `fetch` and
 * socket clients keep what went wrong (`ECONNREFUSED 127.0.0.1:1`) in there, not in the message.
 */
export function* errorChain(error: unknown, maxDepth = 5): Generator<{ error: object; leaf: boolean }> {
  if (!error || typeof error !== 'object' || maxDepth < 0) return
  const wrapped = inner(error)
  yield { error, leaf: wrapped.length === 0 }
  for (const e of wrapped) yield* errorChain(e, maxDepth - 1)
}

/** The `code`s of the error and of everything it wraps (`ECONNREFUSED`, `UND_ERR_SOCKET`), outermost first. */
export function errorCodes(error: unknown): string[] {
  return [...errorChain(error)].flatMap(({ error: e }) => {
    const { code } = e as { code?: unknown }
    return typeof code === 'string' ? [code] : []
  })
}
