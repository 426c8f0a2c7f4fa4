// Vault's response shapes (https://developer.hashicorp.com/vault/api-docs#http-status-codes): the
// envelope every logical response is wrapped in, and `{ "errors": [...] }` for refusals.
import { randomUUID } from 'node:crypto'

/** What a handler answers: a status and a JSON body, or no body at all (204, HEAD). */
export interface VaultResponse {
  status: number
  body?: unknown
}

/** A refusal thrown anywhere below the router; it becomes `{ "errors": [message] }`. */
export class VaultError extends Error {
  override name = 'VaultError'
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export const badRequest = (message: string): VaultError => new VaultError(400, message)

/**
 * Something of Vault's API the emulator does not implement: 501 with a message that names it, so that
 * it never reads as the caller's mistake (Vault's 404 or 405) nor as Vault's own refusal (400). The
 * router adds the request's method and path. `alternative` says what the emulator offers instead.
 */
export class NotEmulated extends VaultError {
  override name = 'NotEmulated'
  constructor(
    readonly feature: string,
    readonly alternative?: string,
  ) {
    super(501, feature)
  }

  /** The whole message for `request`, e.g. `POST transit/hmac/k`. */
  describe(request: string): string {
    const instead = this.alternative ? `; ${this.alternative}` : ''
    return `the Testbed Vault emulator does not implement ${this.feature} (${request})${instead}; use a real Vault for it: VAULT_ADDR and VAULT_TOKEN, a container (a Docker engine; TESTBED_VAULT_IMAGE names the image) or vault/bao on PATH`
  }
}

/** How Vault's core words an error it wrapped with go-multierror. */
export const multiError = (...messages: string[]): string =>
  `${messages.length} error${messages.length === 1 ? '' : 's'} occurred:\n${messages.map((m) => `\t* ${m}\n`).join('')}\n`

interface EnvelopeOptions {
  warnings?: string[]
  /** Vault's sys backend copies every `data` key to the top level of the body as well. */
  sys?: boolean
}

export function envelope(
  data: unknown,
  mountType: string,
  options: EnvelopeOptions = {},
): Record<string, unknown> {
  const body = {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: options.warnings?.length ? options.warnings : null,
    auth: null,
    mount_type: mountType,
  }
  return options.sys && data && typeof data === 'object' ? { ...data, ...body } : body
}

/** 200 with the envelope around `data`. */
export const ok = (data: unknown, mountType: string, options?: EnvelopeOptions): VaultResponse => ({
  status: 200,
  body: envelope(data, mountType, options),
})

/**
 * A full envelope with another status, as a plugin's `logical.RespondWithStatusCode` gives (a deleted
 * kv-v2 version, a transit batch with failed items). The body is built inside the plugin, before the
 * router knows the mount, so `mount_type` is empty.
 */
export const coded = (status: number, data: unknown, warnings?: string[]): VaultResponse => ({
  status,
  body: envelope(data, '', { warnings }),
})

export const noContent = (): VaultResponse => ({ status: 204 })

export const errorResponse = (status: number, errors: string[]): VaultResponse => ({
  status,
  body: { errors },
})

/** Vault's answer for nothing there: 404 with an empty `errors`. */
export const notFound = (): VaultResponse => errorResponse(404, [])

/** A path no handler of a mounted backend matches. */
export const unsupportedPath = (): VaultResponse => errorResponse(404, [multiError('unsupported path')])

/** A path that exists, asked with an operation it does not have. */
export const unsupportedOperation = (): VaultResponse =>
  errorResponse(405, [multiError('unsupported operation')])
