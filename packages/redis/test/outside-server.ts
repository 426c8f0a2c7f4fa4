// A redis-server the TEST starts in its own process, as REDIS_URL would name a server someone else runs.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@testbed/core/config'
import { startOutsideProcess } from '@testbed/test-support/outside-process'

export async function outsideServer(password: string): Promise<{ port: number; url: string }> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'redis-outside-'))
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ]
  await startOutsideProcess('redis-server', [...args, '--requirepass', password], {
    ready: /Ready to accept connections/,
    dir,
  })
  return { port, url: `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}/0` }
}
