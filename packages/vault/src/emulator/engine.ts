// What the router hands a mounted secrets engine, after the token check.
import type { Fields } from './fields.js'
import { NotEmulated, unsupportedOperation, unsupportedPath, type VaultResponse } from './responses.js'

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

/**
 * A path pattern of a backend and what each operation on it does; `notEmulated` names a path of Vault's
 * API the emulator does not implement (every operation on it answers 501).
 */
export type Route = { pattern: RegExp; notEmulated?: string } & Partial<Record<Operation, RouteHandler>>

/** A handler for an operation Vault has on an emulated path and the emulator does not. */
export const notEmulated =
  (feature: string): RouteHandler =>
  () => {
    throw new NotEmulated(feature)
  }

/** Routes for paths of Vault's API the emulator does not implement: `[pattern, what it is]`. */
export const notEmulatedRoutes = (paths: Array<[string, string]>): Route[] =>
  paths.map(([pattern, feature]) => ({ pattern: new RegExp(`^(?:${pattern})$`), notEmulated: feature }))

/**
 * The first route whose pattern matches: its handler, 501 if it is not emulated, 405 if it lacks the
 * operation, `fallback` if none match.
 */
export function dispatch(
  routes: Route[],
  request: EngineRequest,
  fallback: (request: EngineRequest) => VaultResponse = unsupportedPath,
): VaultResponse {
  for (const route of routes) {
    const match = route.pattern.exec(request.path)
    if (!match) continue
    if (route.notEmulated) throw new NotEmulated(route.notEmulated)
    const handler = route[request.operation]
    return handler ? handler(request.data, match.slice(1)) : unsupportedOperation()
  }
  return fallback(request)
}
