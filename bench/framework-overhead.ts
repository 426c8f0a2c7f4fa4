// Framework overhead: 2,000 trivial tests (20 files) under plain Vitest, under plain Vitest with the
// same two projects Testbed's pipelines make, and under Testbed's `main` pipeline (setup file, gating,
// reporter, the hub), each `vitest run --project main` (plain: no --project). The variants alternate,
// in reverse order every other round, so all see the same machine load. Wall time and CPU time (user +
// system of the whole process tree, workers included); medians, and the median of each round's ratio.
//   node bench/framework-overhead.ts [rounds=10] [--json]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runVitest } from './nested-vitest.ts'
import { args, finish, median, report } from './stats.ts'

const rounds = Number(args[0] ?? 10)
const root = fileURLToPath(new URL('./projects/overhead/', import.meta.url))
const tests = `${root}generated`
const variants = (process.env.VARIANTS ?? 'plain,projects,testbed').split(',')

rmSync(tests, { recursive: true, force: true })
mkdirSync(tests, { recursive: true })
for (let file = 0; file < 20; file++) {
  const body = Array.from(
    { length: 100 },
    (_, i) => `test('t${i}', () => { expect(${i} + 1).toBe(${i + 1}) })`,
  )
  writeFileSync(`${tests}/f${file}.test.ts`, `import { expect, test } from 'vitest'\n${body.join('\n')}\n`)
}

const wall: Record<string, number[]> = {}
const cpu: Record<string, number[]> = {}
try {
  for (let round = 0; round < rounds; round++) {
    for (const variant of round % 2 ? [...variants].reverse() : variants) {
      const config = `${root}${variant}.config.ts`
      const run = await runVitest(root, [
        '--config',
        config,
        ...(variant !== 'plain' ? ['--project', 'main'] : []),
      ])
      if (run.code !== 0 || !/2000 passed/.test(run.output))
        throw new Error(`${variant} run failed:\n${run.output}`)
      wall[variant] = [...(wall[variant] ?? []), run.ms]
      cpu[variant] = [...(cpu[variant] ?? []), run.cpuMs]
    }
  }
} finally {
  rmSync(tests, { recursive: true, force: true })
}

const names: Record<string, string> = {
  plain: 'plain Vitest',
  projects: 'two plain projects',
  testbed: 'Testbed main',
}
report(`2,000 trivial tests, ${rounds} alternating rounds (ms)`, [
  ...variants.map((v) => ({
    variant: names[v] ?? v,
    'wall median': median(wall[v] ?? []).toFixed(0),
    'CPU median': median(cpu[v] ?? []).toFixed(0),
    'wall runs': (wall[v] ?? []).map((t) => t.toFixed(0)).join(' '),
    'CPU runs': (cpu[v] ?? []).map((t) => t.toFixed(0)).join(' '),
  })),
])
/** Medians' ratio, and the median of the rounds' own ratios (less sensitive to load that drifts). */
const ratio = (a: string, b: string, of: Record<string, number[]>) => {
  const perRound = (of[a] ?? []).map((x, i) => x / (of[b]?.[i] ?? Number.NaN))
  return {
    medians: (median(of[a] ?? []) / median(of[b] ?? [])).toFixed(3),
    'per round': median(perRound).toFixed(3),
  }
}
const pairs = [
  ['testbed', 'projects'],
  ['testbed', 'plain'],
].filter(([a, b]) => variants.includes(a as string) && variants.includes(b as string)) as [string, string][]
report(
  'ratios',
  pairs.flatMap(([a, b]) => [
    { ratio: `${names[a]} / ${names[b]}`, measure: 'wall', ...ratio(a, b, wall) },
    { ratio: `${names[a]} / ${names[b]}`, measure: 'CPU', ...ratio(a, b, cpu) },
  ]),
)
finish('framework-overhead', { rounds })
