import { execFile } from 'node:child_process'

/**
 * The first line a program prints for `--version` (`postgres (PostgreSQL) 15.10`), or why there is
 * none. Bounded (10 s, or sooner when `signal` aborts): a check never hangs on a program.
 */
export function programVersion(program: string, signal: AbortSignal, args = ['--version']): Promise<string> {
  return new Promise((resolve) => {
    execFile(program, args, { signal, timeout: 10_000 }, (error, stdout, stderr) => {
      const line = `${stdout}\n${stderr}`
        .split('\n')
        .map((l) => l.trim())
        .find(Boolean)
      if (error && !line)
        resolve(`version unknown (${program} ${args.join(' ')}: ${error.message.split('\n')[0]})`)
      else resolve(line ?? 'version unknown (it printed nothing)')
    })
  })
}

/** Each program with its version, `{ initdb: '/usr/lib/postgresql/15/bin/initdb: initdb (PostgreSQL) 15.10' }`. */
export async function programsFound(
  programs: Record<string, string>,
  signal: AbortSignal,
  args?: string[],
): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(programs).map(
      async ([name, path]) => [name, `${path}: ${await programVersion(path, signal, args)}`] as const,
    ),
  )
  return Object.fromEntries(entries)
}
