import { existsSync } from 'node:fs'
import { eventually } from '@testbed/test-support/eventually'
import { alive, runVitest } from '@testbed/test-support/run-vitest'
import { describe, expect, test } from 'vitest'
import { fixturePath } from './fixture-path.ts'

const fixture = fixturePath('teardown')

describe('nothing outlives the run', { tags: ['tier2'] }, () => {
  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    test(`${signal} to the runner mid-test releases every service`, async () => {
      const run = await runVitest({
        fixture,
        onSpawn(child, output) {
          const poll = setInterval(() => {
            if (output().includes('HOLDING')) {
              clearInterval(poll)
              child.kill(signal)
            }
          }, 50)
        },
      })
      expect(run.signal ?? run.code).not.toBe(0)
      expect(run.starts).toHaveLength(1)
      const [start] = run.starts as [(typeof run.starts)[0]]
      await eventually(() => !alive(start.pid), `echo server ${start.pid} stopped`)
      await eventually(() => !existsSync(start.dir), `temp dir ${start.dir} removed`)
    })
  }
})
