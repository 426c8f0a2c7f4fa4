// Framework overhead: 2,000 trivial tests (20 files) under plain Vitest, under plain Vitest with the
// same two projects Testbed's pipelines make (`--project main`), and under Testbed's `main` pipeline
// (setup file, gating, reporter, the hub), alternating runs so all see the same machine load; the
// ratios of medians.   node bench/framework-overhead.ts [rounds]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runVitest } from './nested-vitest.ts'
import { median, report } from './stats.ts'

const rounds = Number(process.argv[2] ?? 5)
const root = fileURLToPath(new URL('./projects/overhead/', import.meta.url))
const tests = join(root, 'generated')
function join(...parts: string[]) {
  return parts.join('/').replaceAll('//', '/')
}

rmSync(tests, { recursive: true, force: true })
mkdirSync(tests, { recursive: true })
for (let file = 0; file < 20; file++) {
  const body = Array.from(
    { length: 100 },
    (_, i) => `test('t${i}', () => { expect(${i} + 1).toBe(${i + 1}) })`,
  )
  writeFileSync(
    join(tests, `f${file}.test.ts`),
    `import { expect, test } from 'vitest'\n${body.join('\n')}\n`,
  )
}

const times: Record<string, number[]> = { plain: [], testbed: [] }
for (let round = 0; round < rounds; round++) {
  for (const variant of (process.env.VARIANTS ?? 'plain,projects,testbed').split(',')) {
    const config = join(root, `${variant}.config.ts`)
    const args = ['--config', config, ...(variant !== 'plain' ? ['--project', 'main'] : [])]
    const run = await runVitest(root, args)
    if (run.code !== 0 || !/2000 passed/.test(run.output))
      throw new Error(`${variant} run failed:\n${run.output}`)
    times[variant] = [...(times[variant] ?? []), run.ms]
  }
}
rmSync(tests, { recursive: true, force: true })
const plain = median(times.plain ?? [])
const testbed = median(times.testbed ?? [])
report(`2,000 trivial tests, ${rounds} alternating rounds (wall time of \`vitest run\`, ms)`, [
  {
    variant: 'plain Vitest',
    median: plain.toFixed(0),
    runs: (times.plain ?? []).map((t) => t.toFixed(0)).join(' '),
  },
  {
    variant: 'Testbed main',
    median: testbed.toFixed(0),
    runs: (times.testbed ?? []).map((t) => t.toFixed(0)).join(' '),
  },
  {
    variant: 'two plain projects',
    median: median(times.projects ?? []).toFixed(0),
    runs: (times.projects ?? []).map((t) => t.toFixed(0)).join(' '),
  },
  { variant: 'Testbed / plain', median: (testbed / plain).toFixed(3), runs: '' },
  {
    variant: 'Testbed / two plain projects',
    median: (testbed / median(times.projects ?? [])).toFixed(3),
    runs: '',
  },
])
