/**
 * Testbed's setup file, added to every pipeline and loaded for every test file, so it does no more
 * than it must: before a file's tests run it asks the hub, in one request, for every service its
 * selected tests are marked with (so they start in parallel, and only when some selected test needs
 * them); before each test it skips or fails on a missing service. The gate and the hub client are
 * imported only by a file that needs a service, and only such a file gets the per-test gate at all.
 */

import type { RunnerTestSuite as Suite, RunnerTask as Task } from 'vitest'
import { beforeAll, type beforeEach, inject, TestRunner } from 'vitest'
import { servicesRequiredBy } from '../shared/requirement.js'

if (!inject('testbed'))
  throw new Error(
    "Testbed's plugin is not in this Vitest config: add `plugins: testbed.plugins` beside `test: { projects: testbed.projects }`",
  )

function selectedTests(task: Task): Task[] {
  if (task.mode === 'skip' || task.mode === 'todo') return []
  return task.type === 'suite' ? task.tasks.flatMap(selectedTests) : [task]
}

// Starting a service may take a while (a cold container, or a patient readiness policy: ~17 minutes);
// each provider bounds its own wait, so this is only a backstop.
const START_TIMEOUT_MS = Number(process.env.TESTBED_START_TIMEOUT_MS) || 30 * 60_000

/**
 * Before each test that needs a service: skip or fail it if the service is missing. The services were
 * asked for in beforeAll (bounded above), so this only reads their statuses.
 */
const gate: Parameters<typeof beforeEach>[0] = ({ task, skip }) =>
  servicesRequiredBy(task.tags).length
    ? import('./gate.js').then(({ gateTest }) => gateTest({ task, skip }))
    : undefined

beforeAll(async ({}, file: Suite) => {
  const needed = new Set(selectedTests(file).flatMap((t) => servicesRequiredBy(t.tags)))
  if (!needed.size) return
  // The gate joins the file's beforeEach hooks only now that the file's tests are known, ahead of the
  // file's own: a hook registered for every file would cost each test of a file that needs no service
  // a hook call and two hook events to the main process (~20 ms per 100 tests; bench/framework-overhead.ts).
  TestRunner.getSuiteHooks(file).beforeEach.unshift(gate)
  const { ensureServices } = await import('./hub-client.js')
  await ensureServices([...needed])
}, START_TIMEOUT_MS)
