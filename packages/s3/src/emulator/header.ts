import type { IncomingHttpHeaders } from 'node:http'

/** A request header as one string (repeated headers joined with commas, as HTTP allows). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(',') : value
}
