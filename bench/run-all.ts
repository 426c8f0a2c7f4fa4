// All benchmarks, one after another (they share the machine; never run them in parallel). Each runs
// with --json; a bench that crashes is reported as not run and the others still run. The last line is
// one JSON object with every bench's results, for comparing one run with another.
//   node bench/run-all.ts [--json]
import { spawn } from 'node:child_process'
import { machine } from './stats.ts'

const benches = [
  'database-per-test.ts',
  'database-as-test-sees-it.ts',
  'many-workers.ts',
  'framework-overhead.ts',
  'resolve-unavailable.ts',
  'cold-start.ts',
  'trio-cold-start.ts',
  'isolation-cost.ts',
  'enterprise.ts',
  'up-reuse.ts',
  'result-cache.ts',
  'flaky-history.ts',
]

/** Runs one bench, its output passed through; resolves with its exit code and its last line. */
function run(bench: string): Promise<{ code: number | null; last: string; tail: string }> {
  const child = spawn(process.execPath, [new URL(`./${bench}`, import.meta.url).pathname, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      output += chunk
      ;(stream === child.stdout ? process.stdout : process.stderr).write(chunk)
    })
  }
  return new Promise((resolve) =>
    child.once('close', (code) => {
      const lines = output.trim().split('\n')
      resolve({ code, last: lines.at(-1) ?? '', tail: lines.slice(-5).join('\n') })
    }),
  )
}

const results: unknown[] = []
const notRun: Array<{ bench: string; reason: string }> = []
for (const bench of benches) {
  console.log(`\n=== bench/${bench}`)
  const { code, last, tail } = await run(bench)
  let parsed: unknown
  try {
    parsed = JSON.parse(last)
  } catch {}
  if (code === 0 && parsed) results.push(parsed)
  else notRun.push({ bench, reason: `exited with ${code}: ${tail}` })
}
console.log('\n=== summary')
for (const r of results as Array<{ bench: string; notRun: Array<{ variant: string; reason: string }> }>) {
  console.log(
    `ran ${r.bench}${r.notRun.length ? ` (not run: ${r.notRun.map((n) => `${n.variant}: ${n.reason}`).join('; ')})` : ''}`,
  )
}
for (const n of notRun) console.log(`NOT RUN ${n.bench}: ${n.reason}`)
if (process.argv.includes('--json'))
  console.log(JSON.stringify({ bench: 'all', results, notRun, machine: machine() }))
process.exitCode = notRun.length ? 1 : 0
