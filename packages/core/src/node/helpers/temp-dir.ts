import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where Testbed makes its temp dirs: `TESTBED_TMPDIR`, else the OS temp dir. */
export function tempRoot(): string {
  return process.env.TESTBED_TMPDIR || tmpdir()
}

export async function makeTempDir(prefix: string): Promise<string> {
  const root = tempRoot()
  try {
    return await mkdtemp(join(root, `testbed-${prefix}-`))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    throw new Error(
      `cannot create a temp dir in ${root} (${code || (error as Error).message}); set TESTBED_TMPDIR to a writable directory`,
    )
  }
}
