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

/** Prints a titled table to stdout. */
export function report(title: string, rows: Record<string, string>[]): void {
  console.log(`\n${title}`)
  console.table(rows)
}
