import { execFileSync } from 'node:child_process'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { startLoopbackServer } from './loopback-server.ts'

const packageDir = fileURLToPath(new URL('../..', import.meta.url))

/** A request on a keep-alive connection that is left open once answered. */
function keptAlive(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { connection: 'keep-alive' } }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => {
        body += chunk
      })
      res.on('end', () => resolve(body))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('startLoopbackServer', () => {
  test('serves on 127.0.0.1 at a free port, and close() ends the keep-alive connections', async () => {
    const server = await startLoopbackServer((_req, res) => res.end('hi'))
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    expect(server.port).toBeGreaterThan(0)
    expect(await keptAlive(server.url)).toBe('hi')
    // Resolves although the client's agent still holds its connection open.
    await server.close()
    expect(server.server.listening).toBe(false)
    await expect(server.close()).resolves.toBeUndefined()
  })

  test('a port in use: rejects with the listen error', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const { port } = taken.address() as { port: number }
    try {
      await expect(startLoopbackServer(() => {}, { port })).rejects.toThrow(
        `listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
      )
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })
})

test('@testbed/core/standalone loads neither vitest nor vite', () => {
  // Every module the entry resolves, as a plain Node process (no Vitest) loads it.
  const script = `
    import { registerHooks } from 'node:module'
    const loaded = []
    registerHooks({ resolve: (specifier, context, next) => { const r = next(specifier, context); loaded.push(r.url); return r } })
    await import('@testbed/core/standalone')
    console.log(JSON.stringify(loaded))`
  const loaded = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: packageDir,
      encoding: 'utf8',
    }),
  ) as string[]
  expect(loaded).toContain(new URL('dist/standalone.js', `file://${packageDir}`).href)
  expect(loaded.filter((url) => /\bvite(st)?\b/.test(url))).toEqual([])
})
