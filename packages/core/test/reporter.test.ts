import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import type { Vitest } from 'vitest/node'
import { TestbedReporter } from '../src/node/reporter.ts'
import type { HubEvent, ServiceHub } from '../src/node/service-hub.ts'

/** A reporter on a stand-in hub whose events the test emits, and the lines it wrote. */
function liveLines() {
  const lines: string[] = []
  const reporter = new TestbedReporter()
  reporter.onInit({
    logger: { errorStream: { write: (text: string) => lines.push(...text.trimEnd().split('\n')) } },
  } as unknown as Vitest)
  let listener: (event: HubEvent) => void = () => {}
  reporter.attach({
    on: (l: (event: HubEvent) => void) => {
      listener = l
      return () => {}
    },
  } as unknown as ServiceHub)
  return { lines, emit: (event: HubEvent) => listener(event) }
}

const ready: HubEvent = {
  type: 'settled',
  status: {
    name: 'postgres',
    state: 'ready',
    provider: 'binary',
    connection: {},
    env: {},
    endpoint: 'postgres://127.0.0.1:5432/postgres',
    startMs: 900,
    attempts: [],
  },
}

describe('the live lines while services start', { tags: ['tier1'] }, () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  test('a progress line comes after its start announcement, even within the first 250 ms', () => {
    const { lines, emit } = liveLines()
    emit({ type: 'starting', service: 'postgres', provider: 'binary' })
    vi.advanceTimersByTime(10)
    emit({ type: 'progress', service: 'postgres', provider: 'binary', message: 'initdb' })
    vi.advanceTimersByTime(500)
    emit({ type: 'progress', service: 'postgres', provider: 'binary', message: 'building the template' })
    emit(ready)
    expect(lines).toEqual([
      'testbed: starting postgres (binary) …',
      'testbed: postgres (binary): initdb',
      'testbed: postgres (binary): building the template',
      'testbed: postgres ready via binary in 0.90 s (postgres://127.0.0.1:5432/postgres)',
    ])
  })

  test('a start that takes a moment is announced once, after 250 ms', () => {
    const { lines, emit } = liveLines()
    emit({ type: 'starting', service: 'postgres', provider: 'binary' })
    vi.advanceTimersByTime(300)
    emit({ type: 'progress', service: 'postgres', provider: 'binary', message: 'initdb' })
    expect(lines).toEqual(['testbed: starting postgres (binary) …', 'testbed: postgres (binary): initdb'])
  })

  test('a provider that answers at once is not announced, and the next one is', () => {
    const { lines, emit } = liveLines()
    emit({ type: 'starting', service: 'postgres', provider: 'env' })
    emit({ type: 'starting', service: 'postgres', provider: 'binary' })
    emit({ type: 'progress', service: 'postgres', provider: 'binary', message: 'initdb' })
    vi.advanceTimersByTime(1000)
    expect(lines).toEqual(['testbed: starting postgres (binary) …', 'testbed: postgres (binary): initdb'])
  })

  test('"still starting" never precedes the announcement', () => {
    const { lines, emit } = liveLines()
    emit({ type: 'starting', service: 'postgres', provider: 'env' })
    vi.advanceTimersByTime(4900)
    emit({ type: 'starting', service: 'postgres', provider: 'binary' }) // the 5 s tick comes before its 250 ms
    vi.advanceTimersByTime(5200)
    const announced = lines.indexOf('testbed: starting postgres (binary) …')
    const firstTick = lines.findIndex((l) => l.startsWith('testbed: still starting postgres (binary)'))
    expect(firstTick).toBeGreaterThan(announced)
    expect(announced).toBeGreaterThan(0)
  })
})
