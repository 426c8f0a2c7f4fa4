/**
 * Testbed's setup file, added to every pipeline. Before a file's tests run it asks the hub, in one
 * request, for every service its selected tests are marked with (so they start in parallel, and only
 * when some selected test needs them); before each test it skips or fails on a missing service.
 */

import type { RunnerTestSuite as Suite, RunnerTask as Task } from 'vitest'
import { beforeAll, beforeEach } from 'vitest'
import { servicesRequiredBy } from '../shared/requirement.js'
import { gateTest } from './gate.js'
import { ensureServices } from './hub-client.js'

function selectedTests(task: Task): Task[] {
  if (task.mode === 'skip' || task.mode === 'todo') return []
  return task.type === 'suite' ? task.tasks.flatMap(selectedTests) : [task]
}

// Starting a service may take a while (a cold container, or the seed's Vault policy: ~17 minutes);
// each provider bounds its own wait, so this is only a backstop.
const START_TIMEOUT_MS = Number(process.env.TESTBED_START_TIMEOUT_MS) || 30 * 60_000

beforeAll(async ({}, file: Suite) => {
  const needed = new Set(selectedTests(file).flatMap((t) => servicesRequiredBy(t.tags)))
  if (needed.size) await ensureServices([...needed])
}, START_TIMEOUT_MS)

// Synchronous for the many tests that need no service: this hook runs before every test.
beforeEach(
  ({ task, skip }) => (servicesRequiredBy(task.tags).length ? gateTest({ task, skip }) : undefined),
  START_TIMEOUT_MS,
)
