import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))

/** This worker's environment without the services' variables: each test says which services the app gets. */
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(VAULT_|AUTH0_|DATABASE_URL$|PG|AWS_|S3_|NATS_|REDIS_URL$|DRAGONFLY_)/.test(key),
    ),
  )
}

/** The notes service in its own process, as deployed: configured by environment, reached over HTTP. */
export async function startApp(
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [main], {
    env: { ...baseEnv(), ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk
      const match = /listening on (\d+)/.exec(output)
      if (match) resolve(Number(match[1]))
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk
    })
    child.once('exit', (code) => reject(new Error(`the notes service exited with ${code}: ${output}`)))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    async stop() {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}
