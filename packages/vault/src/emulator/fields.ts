// Request fields read the way Vault's framework reads them (weakly typed: "true", "3", "1h" all
// accepted), base64 decoded as Go's encoding/base64 does, and Go's duration strings.
import { badRequest, VaultError } from './responses.js'

export type Fields = Record<string, unknown>

const converting = (name: string, value: unknown) =>
  badRequest(`error converting input ${JSON.stringify(value)} for field "${name}"`)

export function stringField(data: Fields, name: string): string | undefined {
  const value = data[name]
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw converting(name, value)
}

const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True'])
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False', ''])

/** Go's strconv.ParseBool, as Vault reads a bool from a query string or a string value. */
export function parseBool(value: string): boolean | undefined {
  return TRUE.has(value) ? true : FALSE.has(value) ? false : undefined
}

export function boolField(data: Fields, name: string): boolean | undefined {
  const value = data[name]
  if (value === undefined || value === null) return undefined
  if (typeof value === 'boolean') return value
  if (typeof value === 'number') return value !== 0
  const parsed = typeof value === 'string' ? parseBool(value) : undefined
  if (parsed === undefined) throw converting(name, value)
  return parsed
}

export function intField(data: Fields, name: string): number | undefined {
  const value = data[name]
  if (value === undefined || value === null) return undefined
  const number = typeof value === 'string' && /^[+-]?\d+$/.test(value.trim()) ? Number(value) : value
  if (typeof number === 'number' && Number.isSafeInteger(number)) return number
  throw converting(name, value)
}

export function mapField(data: Fields, name: string): Fields | undefined {
  const value = data[name]
  if (value === undefined || value === null) return undefined
  if (typeof value === 'object' && !Array.isArray(value)) return value as Fields
  throw converting(name, value)
}

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
}

/** Seconds in `value`: a number of seconds, or a Go duration ("90s", "1h30m", "24h"; "d" too, as Vault's parseutil). */
export function durationField(data: Fields, name: string): number | undefined {
  const value = data[name]
  if (value === undefined || value === null) return undefined
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value)
  if (typeof value === 'string') {
    const text = value.trim()
    if (/^\d+$/.test(text)) return Number(text)
    const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g)]
    if (parts.length && parts.map((p) => p[0]).join('') === text) {
      return Math.trunc(
        parts.reduce((sum, [, n, unit]) => sum + Number(n) * (UNIT_SECONDS[unit as string] ?? 0), 0),
      )
    }
  }
  throw new VaultError(
    400,
    `error converting input ${JSON.stringify(value)} for field "${name}": time: invalid duration`,
  )
}

/** Go's time.Duration.String() for whole seconds: "0s", "1h0m0s", "3h25m19s". */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s'
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return h ? `${h}h${m}m${s}s` : m ? `${m}m${s}s` : `${s}s`
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const DECODE = new Map([...ALPHABET].map((c, i) => [c.charCodeAt(0), i]))
const PAD = '='.charCodeAt(0)
const isNewline = (byte: number | undefined) => byte === 0x0a || byte === 0x0d

/**
 * base64.StdEncoding.DecodeString: padded, newlines skipped; on bad input the error Vault passes on,
 * `illegal base64 data at input byte N` (a port of Go's decodeQuantum).
 */
export function decodeBase64(text: string): Buffer | { error: string } {
  const src = Buffer.from(text, 'utf8')
  const out: number[] = []
  const fail = (at: number) => ({ error: `illegal base64 data at input byte ${at}` })
  let si = 0
  while (si < src.length) {
    const quantum: number[] = []
    let end = false
    while (quantum.length < 4) {
      if (si === src.length) {
        if (quantum.length === 0) break
        return fail(si - quantum.length)
      }
      const byte = src[si++] as number
      const value = DECODE.get(byte)
      if (value !== undefined) {
        quantum.push(value)
        continue
      }
      if (isNewline(byte)) continue
      if (byte !== PAD || quantum.length < 2) return fail(si - 1)
      if (quantum.length === 2) {
        while (isNewline(src[si])) si++
        if (si === src.length) return fail(src.length)
        if (src[si] !== PAD) return fail(si - 1)
        si++
      }
      while (isNewline(src[si])) si++
      if (si < src.length) return fail(si)
      end = true
      break
    }
    const [a = 0, b = 0, c = 0, d = 0] = quantum
    const bits = (a << 18) | (b << 12) | (c << 6) | d
    const bytes = [(bits >> 16) & 0xff, (bits >> 8) & 0xff, bits & 0xff]
    out.push(...bytes.slice(0, Math.max(0, quantum.length - 1)))
    if (end) break
  }
  return Buffer.from(out)
}
