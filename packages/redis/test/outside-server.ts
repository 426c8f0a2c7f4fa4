// A redis-server the TEST starts in its own process, as REDIS_URL would name a server someone else runs.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@testbed/core/config'
import { startOutsideProcess } from '@testbed/test-support/outside-process'
import { serverArgs } from '../src/providers/binary.ts'

export async function outsideServer(password: string): Promise<{ port: number; url: string }> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'redis-outside-'))
  await startOutsideProcess('redis-server', [...serverArgs(port, dir), '--requirepass', password], {
    ready: /Ready to accept connections/,
    dir,
  })
  return { port, url: `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}/0` }
}
