// Spawns `vitest run` on a bench project and reports its wall time, CPU time and output.
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { stripVTControlCharacters } from 'node:util'

const vitestBin = fileURLToPath(new URL('./vitest.mjs', import.meta.resolve('vitest/package.json')))

let ticksPerSecond: number | undefined
/**
 * User + system CPU time, in ms, of every child this process has waited for, and of theirs (Vitest's
 * workers included): Linux's cutime + cstime, what getrusage(RUSAGE_CHILDREN) and time(1) report.
 * NaN where /proc is missing.
 */
function childrenCpuMs(): number {
  try {
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100
    const stat = readFileSync('/proc/self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond
  } catch {
    return Number.NaN
  }
}

export async function runVitest(
  root: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ ms: number; cpuMs: number; output: string; code: number | null; spawnedAt: number }> {
  const cpuBefore = childrenCpuMs()
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
  return { ms: performance.now() - started, cpuMs: childrenCpuMs() - cpuBefore, output, code, spawnedAt }
}

/** Why a nested run failed, in one line: Testbed's "… unavailable: …" line when there is one. */
export function failureReason(output: string): string {
  const plain = stripVTControlCharacters(output)
  const unavailable =
    /^testbed: (\S+ unavailable: .*)$/m.exec(plain) ?? /(\S+ unavailable: [^\n]*)/.exec(plain)
  if (unavailable?.[1]) return unavailable[1]
  const lines = plain.trim().split('\n')
  return lines.slice(-3).join(' | ')
}
