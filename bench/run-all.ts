// All benchmarks, one after another (they share the machine; never run them in parallel).
import { execFileSync } from 'node:child_process'

for (const bench of [
  'database-per-test.ts',
  'framework-overhead.ts',
  'resolve-unavailable.ts',
  'cold-start.ts',
]) {
  console.log(`\n=== bench/${bench}`)
  execFileSync(process.execPath, [new URL(`./${bench}`, import.meta.url).pathname], { stdio: 'inherit' })
}
