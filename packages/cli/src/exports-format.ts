// The exports of `testbed up` / `testbed env` in the format asked for.
import { randomUUID } from 'node:crypto'
import { appendFile } from 'node:fs/promises'
import { CliError } from './cli-error.js'

export const EXPORT_FORMATS = ['sh', 'dotenv', 'json', 'github'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export function parseFormat(value: unknown): ExportFormat {
  if (typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value))
    return value as ExportFormat
  throw new CliError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, not ${JSON.stringify(value)}`, 2)
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Single quotes keep everything literal in a POSIX shell; a quote inside closes, escapes and reopens. */
export const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`

/** A value as a .env line reads it: bare when plain, else quoted (newlines as \n inside double quotes). */
function dotenvValue(value: string): string {
  if (/^[\w.:/@%+,=-]*$/.test(value)) return value
  if (!value.includes("'") && !value.includes('\n')) return `'${value}'`
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`
}

/**
 * GitHub's multiline syntax for $GITHUB_ENV (`NAME<<DELIMITER`, the value, `DELIMITER`), with a
 * delimiter the value cannot contain, as GitHub's own toolkit writes it.
 */
function githubEntry(name: string, value: string): string {
  let delimiter = `ghadelimiter_${randomUUID()}`
  while (value.includes(delimiter)) delimiter = `ghadelimiter_${randomUUID()}`
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`
}

/** The variables as text in `format` (`github`: the lines appended to $GITHUB_ENV). */
export function formatExports(env: Record<string, string>, format: ExportFormat): string {
  const entries = Object.entries(env)
  for (const [name] of entries)
    if (!NAME.test(name)) throw new CliError(`cannot export ${JSON.stringify(name)}: not a variable name`)
  switch (format) {
    case 'json':
      return `${JSON.stringify(env, null, 2)}\n`
    case 'dotenv':
      return entries.map(([k, v]) => `${k}=${dotenvValue(v)}\n`).join('')
    case 'github':
      return entries.map(([k, v]) => githubEntry(k, v)).join('')
    default:
      return entries.map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join('')
  }
}

/**
 * Prints the exports to stdout, or for `github` appends them to $GITHUB_ENV with TESTBED_UP=use (so a
 * later step's test run uses these services in CI too) and says which names it wrote, on stderr.
 */
export async function writeExports(
  env: Record<string, string>,
  format: ExportFormat,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (format !== 'github') {
    process.stdout.write(formatExports(env, format))
    return
  }
  const file = environment.GITHUB_ENV
  if (!file?.trim())
    throw new CliError(
      '--format github appends to $GITHUB_ENV, which is not set (it is set in a GitHub Actions step); use --format sh, dotenv or json elsewhere',
    )
  const all = { ...env, TESTBED_UP: 'use' }
  await appendFile(file, formatExports(all, 'github'))
  process.stderr.write(`testbed: wrote ${Object.keys(all).join(', ')} to $GITHUB_ENV\n`)
}

/** Every ready service's exports, in one set (later names win, as in a worker's process.env). */
export const mergedEnv = (services: ReadonlyArray<{ env: Record<string, string> }>) =>
  Object.assign({}, ...services.map((s) => s.env)) as Record<string, string>
