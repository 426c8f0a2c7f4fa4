import type { TestContext } from 'vitest'
import { requirementTag, servicesRequiredBy } from '../shared/requirement.js'
import type { ReadyStatus, ServiceStatus } from '../shared/service-status.js'
import { acceptedStatus, whenMissing } from '../shared/strictness.js'
import { ensureServices, testbedContext } from './hub-client.js'

type Gated = Pick<TestContext, 'task' | 'skip'>

/** A test whose required service is missing: skipped with the reason, or failed where it is required. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError'
}

/** Fails or skips the test, as `strictness.ts` rules. */
function refuse(context: Gated, status: Exclude<ServiceStatus, ReadyStatus>): never {
  const { fails, reason } = whenMissing(testbedContext(), status)
  if (fails) throw new ServiceUnavailableError(reason)
  return context.skip(reason) as never
}

async function statuses<Connection>(services: string[]): Promise<ServiceStatus<Connection>[]> {
  const context = testbedContext()
  return ((await ensureServices(services)) as ServiceStatus<Connection>[]).map((s) =>
    acceptedStatus(context, s),
  )
}

/** Runs before each test: every `requires_<service>` marker must be satisfiable. */
export async function gateTest(context: Gated): Promise<void> {
  const required = servicesRequiredBy(context.task.tags)
  if (!required.length) return
  for (const status of await statuses(required)) {
    if (status.state !== 'ready') refuse(context, status)
  }
}

/**
 * For plugins' test-scoped fixtures: the service's status, once the test is known to carry its marker.
 * Pipelines select tests by markers, so a fixture used without one would run in the wrong pipeline.
 * `fixture` is the name the advice gives. Vitest resolves a fixture's dependencies first and never
 * tells a fixture who asked for it, so call this from each fixture a test may name, with its own
 * name: a fixture that reached it through another (`database` through `postgres`) would be reported
 * as that other one.
 */
export async function useService<Connection>(
  context: Gated,
  service: string,
  fixture: string,
): Promise<ReadyStatus<Connection>> {
  const tag = requirementTag(service)
  if (!context.task.tags?.includes(tag)) {
    throw new Error(
      `'${context.task.name}' uses the ${service} fixture '${fixture}' but is not marked ${tag}. ` +
        `Add { tags: ['${tag}'] } to the test or its describe(): pipelines select tests by their markers.`,
    )
  }
  const [status] = (await statuses<Connection>([service])) as [ServiceStatus<Connection>]
  if (status.state !== 'ready') refuse(context, status)
  return status
}

/** `useService`'s connection, what most fixtures want: `useConnection({ task, skip }, 'vault', 'transitKey')`. */
export async function useConnection<Connection>(
  context: Gated,
  service: string,
  fixture: string,
): Promise<Connection> {
  return (await useService<Connection>(context, service, fixture)).connection
}

/** For worker- and file-scoped fixtures (no test to skip): the status, or an error naming the reason. */
export async function serviceForScope<Connection>(service: string): Promise<ReadyStatus<Connection>> {
  const [status] = (await statuses<Connection>([service])) as [ServiceStatus<Connection>]
  if (status.state !== 'ready')
    throw new ServiceUnavailableError(whenMissing(testbedContext(), status, { canSkip: false }).reason)
  return status
}
