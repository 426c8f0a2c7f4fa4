/** What the API answered with a status other than 2xx: `<METHOD> <path>: <status> <error>`. */
export class ApiCallError extends Error {
  readonly status: number
  readonly error: string
  constructor(status: number, error: string, call: string) {
    super(`${call}: ${status} ${error}`)
    this.status = status
    this.error = error
  }
}

/** A small client of the scheduling API, for the CLI and for tests. */
export class SchedulerClient {
  readonly url: string
  readonly apiKey: string
  constructor(url: string, apiKey: string) {
    this.url = url
    this.apiKey = apiKey
  }

  as(apiKey: string): SchedulerClient {
    return new SchedulerClient(this.url, apiKey)
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        'x-api-key': this.apiKey,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const json = (await response.json()) as T & { error?: string }
    if (!response.ok) throw new ApiCallError(response.status, json.error ?? '', `${method} ${path}`)
    return json
  }

  get = <T = unknown>(path: string) => this.request<T>('GET', path)
  post = <T = unknown>(path: string, body: unknown = {}) => this.request<T>('POST', path, body)
  put = <T = unknown>(path: string, body: unknown) => this.request<T>('PUT', path, body)
  delete = <T = unknown>(path: string) => this.request<T>('DELETE', path)
}

/** `?a=1&b=2` from the defined values, or ''. */
export function query(params: Record<string, string | undefined>): string {
  const defined = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)
  return defined.length ? `?${new URLSearchParams(defined)}` : ''
}
