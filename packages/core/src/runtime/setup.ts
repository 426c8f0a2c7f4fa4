/**
 * Testbed's setup file, added to every pipeline and loaded for every test file, so it does no more
 * than it must: before a file's tests run it asks the hub, in one request, for every service its
 * selected tests are marked with (so they start in parallel, and only when some selected test needs
 * them); before each test it skips or fails on a missing service. The gate and the hub client are
 * imported only by a file that needs a service.
 */

import type { RunnerTestSuite as Suite, RunnerTask as Task } from 'vitest'
import { beforeAll, beforeEach, inject } from 'vitest'
import { servicesRequiredBy } from '../shared/requirement.js'

if (!inject('testbed'))
  throw new Error(
    "Testbed's plugin is not in this Vitest config: add `plugins: testbed.plugins` beside `test: { projects: testbed.projects }`",
  )

function selectedTests(task: Task): Task[] {
  if (task.mode === 'skip' || task.mode === 'todo') return []
  return task.type === 'suite' ? task.tasks.flatMap(selectedTests) : [task]
}

// Starting a service may take a while (a cold container, or the seed's Vault policy: ~17 minutes);
// each provider bounds its own wait, so this is only a backstop.
const START_TIMEOUT_MS = Number(process.env.TESTBED_START_TIMEOUT_MS) || 30 * 60_000

beforeAll(async ({}, file: Suite) => {
  const needed = new Set(selectedTests(file).flatMap((t) => servicesRequiredBy(t.tags)))
  if (!needed.size) return
  const { ensureServices } = await import('./hub-client.js')
  await ensureServices([...needed])
}, START_TIMEOUT_MS)

// This hook runs before every test, so it is synchronous for the many that need no service, and
// has no timeout of its own: Vitest would arm a timer per test. The services were asked for in
// beforeAll (bounded above), so the gate here only reads their statuses.
beforeEach(
  ({ task, skip }) =>
    servicesRequiredBy(task.tags).length
      ? import('./gate.js').then(({ gateTest }) => gateTest({ task, skip }))
      : undefined,
  0,
)
