// Spawns `vitest run` on a bench project and reports its wall time and output.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const vitestBin = fileURLToPath(new URL('./vitest.mjs', import.meta.resolve('vitest/package.json')))

export async function runVitest(
  root: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ ms: number; output: string; code: number | null; spawnedAt: number }> {
  const spawnedAt = Date.now()
  const started = performance.now()
  const child = spawn(process.execPath, [vitestBin, 'run', '--root', root, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (c) => {
    output += c
  })
  child.stderr.on('data', (c) => {
    output += c
  })
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  return { ms: performance.now() - started, output, code, spawnedAt }
}
