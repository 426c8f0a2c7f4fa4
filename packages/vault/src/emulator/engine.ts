// What the router hands a mounted secrets engine, after the token check.
import type { Fields } from './fields.js'
import { unsupportedOperation, unsupportedPath, type VaultResponse } from './responses.js'

/** Vault's logical operations: GET is read (list with `?list=true`), POST/PUT update, LIST list. */
export type Operation = 'read' | 'list' | 'update' | 'delete' | 'patch'

export interface EngineRequest {
  operation: Operation
  /** The path below the mount, e.g. `keys/my-key`; list operations end with `/`. */
  path: string
  /** The JSON body for writes, the query string's parameters otherwise. */
  data: Fields
}

export interface SecretsEngine {
  handle(request: EngineRequest): VaultResponse
}

/** `params` are the pattern's groups; a group that did not take part is `undefined`. */
type RouteHandler = (data: Fields, params: Array<string | undefined>) => VaultResponse

/** A path pattern of a backend and what each operation on it does. */
export type Route = { pattern: RegExp } & Partial<Record<Operation, RouteHandler>>

/** The first route whose pattern matches: its handler, 405 if it lacks the operation, `fallback` if none match. */
export function dispatch(
  routes: Route[],
  request: EngineRequest,
  fallback: (request: EngineRequest) => VaultResponse = unsupportedPath,
): VaultResponse {
  for (const route of routes) {
    const match = route.pattern.exec(request.path)
    if (!match) continue
    const handler = route[request.operation]
    return handler ? handler(request.data, match.slice(1)) : unsupportedOperation()
  }
  return fallback(request)
}
