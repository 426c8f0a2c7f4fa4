import { cpus, loadavg, platform, release, totalmem } from 'node:os'

/** p50/p95 (and mean) of a sample in ms, as strings with one decimal. */
export function percentiles(samples: number[]): { p50: string; p95: string; mean: string; n: string } {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length
  return {
    p50: at(0.5).toFixed(1),
    p95: at(0.95).toFixed(1),
    mean: mean.toFixed(1),
    n: String(sorted.length),
  }
}

export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

/** The bench's own arguments, without `--json`. */
export const args = process.argv.slice(2).filter((a) => a !== '--json')

interface Table {
  title: string
  rows: Record<string, string>[]
}
const tables: Table[] = []
const notRun: Array<{ variant: string; reason: string }> = []
const loadAtStart = loadavg()

/** Prints a titled table to stdout (and keeps it for `--json`). */
export function report(title: string, rows: Record<string, string>[]): void {
  tables.push({ title, rows })
  console.log(`\n${title}`)
  console.table(rows)
}

/** A variant that cannot run on this machine (no Docker engine, say): said so, and the bench goes on. */
export function skipVariant(variant: string, reason: string): void {
  notRun.push({ variant, reason })
  console.log(`not run: ${variant}: ${reason}`)
}

export function notRunVariants(): ReadonlySet<string> {
  return new Set(notRun.map((n) => n.variant))
}

/** The machine, for comparing one run's numbers with another's. */
export function machine() {
  const cpu = cpus()
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()} ${release()}`,
    node: process.version,
    loadAverage: { start: loadAtStart, end: loadavg() },
  }
}

const asNumber = (value: string) => (value !== '' && Number.isFinite(Number(value)) ? Number(value) : value)

/**
 * Ends a bench. With `--json` its last line is one JSON object: the tables (numbers as numbers), the
 * rounds, the variants that could not run and why, and the machine.
 */
export function finish(bench: string, extra: { rounds?: number } = {}): void {
  if (!process.argv.includes('--json')) return
  const results = tables.map((t) => ({
    title: t.title,
    rows: t.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, asNumber(v)]))),
  }))
  console.log(
    JSON.stringify({ bench, at: new Date().toISOString(), ...extra, results, notRun, machine: machine() }),
  )
}
