import { existsSync } from 'node:fs'
import { alive, runVitest } from '@testbed/test-support/run-vitest'
import { describe, expect, test } from 'vitest'
import { fixturePath } from './fixture-path.ts'

const fixture = fixturePath('pipelines')
const ran = (run: Awaited<ReturnType<typeof runVitest>>) =>
  run.tests
    .filter((t) => t.status === 'passed')
    .map((t) => t.fullName)
    .sort()

describe('pipelines are Vitest projects selected by markers', { tags: ['tier2'] }, () => {
  test('main runs everything that is not enterprise', async () => {
    const run = await runVitest({ fixture, args: ['--project', 'main'] })
    expect(run.code).toBe(0)
    expect(ran(run)).toEqual([
      'echo one answers over HTTP',
      'echo two answers over HTTP',
      'slow unit',
      'unit',
    ])
  })

  test('enterprise runs exactly the enterprise selection', async () => {
    const run = await runVitest({ fixture, args: ['--project', 'enterprise'] })
    expect(ran(run)).toEqual(['enterprise echo', 'enterprise unit'])
    expect(run.status('vault feature')).toBe('skipped')
  })

  test('--tags-filter narrows inside a pipeline', async () => {
    const run = await runVitest({ fixture, args: ['--project', 'main', '--tags-filter', 'not slow'] })
    expect(ran(run)).toEqual(['echo one answers over HTTP', 'echo two answers over HTTP', 'unit'])
  })

  test('--tags-filter never widens a pipeline', async () => {
    const run = await runVitest({ fixture, args: ['--project', 'enterprise', '--tags-filter', 'tier1'] })
    // `unit` is tier1 but not enterprise: the pipeline's selection still holds.
    expect(ran(run)).toEqual(['enterprise unit'])
  })
})

describe('services start lazily, once per run, and are gone afterwards', { tags: ['tier2'] }, () => {
  test('one start is shared by every worker and project', async () => {
    const run = await runVitest({ fixture }) // both pipelines, two workers, three files need echo
    expect(run.code).toBe(0)
    expect(run.starts).toHaveLength(1)
    const [start] = run.starts
    expect(alive(start?.pid as number)).toBe(false)
    expect(existsSync(start?.dir as string)).toBe(false)
    expect(run.stderr).toMatch(/echo ready via embedded in [\d.]+ s \(http:\/\/127\.0\.0\.1:\d+\)/)
  })

  test('a filter that excludes every test needing a service starts nothing', async () => {
    const run = await runVitest({ fixture, args: ['--project', 'main', '--tags-filter', 'tier1'] })
    expect(ran(run)).toEqual(['slow unit', 'unit'])
    expect(run.starts).toEqual([])
    expect(run.stderr).not.toContain('starting echo')
  })

  test('a service only another pipeline needs is not started', async () => {
    const run = await runVitest({
      fixture,
      args: ['--project', 'enterprise', '--tags-filter', 'not requires_echo'],
    })
    expect(ran(run)).toEqual(['enterprise unit'])
    expect(run.starts).toEqual([])
  })
})

describe('a pipeline loads only the files with a test it selects', { tags: ['tier2'] }, () => {
  const selection = fixturePath('selection')
  const loaded = (run: Awaited<ReturnType<typeof runVitest>>) =>
    (run.starts as unknown as Array<{ event: string; file: string; pipeline: string }>)
      .filter((s) => s.event === 'loaded')
      .map((s) => `${s.pipeline} ${s.file}`)
      .sort()

  test('a file none of whose tests a pipeline selects is not loaded there; the summary says so apart', async () => {
    const run = await runVitest({ fixture: selection })
    expect(run.code).toBe(0)
    expect(loaded(run)).toEqual([
      'enterprise enterprise-only.test.ts',
      'enterprise helper.test.ts',
      'enterprise mixed.test.ts',
      'main helper.test.ts', // its test is declared by a helper, out of a static reading's sight
      'main main-only.test.ts',
      'main mixed.test.ts',
    ])
    expect(ran(run)).toEqual([
      'declared by a helper',
      'enterprise features one',
      'enterprise features two',
      'mixed: enterprise part',
      'mixed: main part',
      'tier1',
      'untagged',
    ])
    expect(run.stderr).toContain(
      " Not in the pipeline (left out by its selection): 4 in 'main' (1 file not loaded), 4 in 'enterprise' (1 file not loaded)",
    )
    expect(run.stderr).toContain(' Skipped without a reason (.skip, .todo): 1')
  })

  test('--tags-filter leaves files out too, and is counted apart from the pipeline', async () => {
    const run = await runVitest({
      fixture: selection,
      args: ['--project', 'enterprise', '--tags-filter', 'slow'],
    })
    expect(run.code).toBe(0)
    expect(loaded(run)).toEqual(['enterprise enterprise-only.test.ts', 'enterprise helper.test.ts'])
    expect(ran(run)).toEqual(['enterprise features two'])
    expect(run.stderr).toContain(
      " Not in the pipeline (left out by its selection): 4 in 'enterprise' (2 files not loaded)",
    )
    expect(run.stderr).toContain(' Left out by --tags-filter: 3')
  })

  test('file filters on the command line narrow what is counted', async () => {
    const run = await runVitest({ fixture: selection, args: ['--project', 'main', 'mixed'] })
    expect(loaded(run)).toEqual(['main mixed.test.ts'])
    expect(run.stderr).toContain(" Not in the pipeline (left out by its selection): 1 in 'main'\n")
  })

  test('a pipeline none of whose files has a selected test still runs them, rather than finding no files', async () => {
    const run = await runVitest({
      fixture: selection,
      args: ['--project', 'main', '--tags-filter', 'e2e', 'main-only', 'enterprise-only'],
    })
    expect(run.code).toBe(0)
    expect(ran(run)).toEqual([])
  })
})
