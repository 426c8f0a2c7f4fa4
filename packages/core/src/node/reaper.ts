import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export type ReapableKind = 'process' | 'dir' | 'container' | 'compose'

/**
 * A hub's handle on its reaper (see reaper-process.ts). Started on the first registration, so a run
 * that starts no service spawns nothing.
 */
export class Reaper {
  private child: ChildProcess | undefined

  private send(line: object): void {
    if (!this.child) {
      this.child = spawn(process.execPath, [fileURLToPath(new URL('./reaper-process.js', import.meta.url))], {
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
      })
      this.child.unref()
      // biome-ignore lint/suspicious/noExplicitAny: Socket#unref exists on the pipe but is not typed on Writable
      ;(this.child.stdin as any)?.unref?.()
      this.child.stdin?.on('error', () => {})
    }
    this.child.stdin?.write(`${JSON.stringify(line)}\n`)
  }

  /** `command`, for a compose project: the compose CLI (`['docker', 'compose']`) that brings it down. */
  hold(
    kind: ReapableKind,
    id: string | number,
    extra: { dockerSocket?: string; command?: string[] } = {},
  ): void {
    this.send({ op: 'add', kind, id: String(id), ...extra })
  }

  release(kind: ReapableKind, id: string | number): void {
    if (this.child) this.send({ op: 'remove', kind, id: String(id) })
  }

  /** Lets the reaper exit; it releases anything still held. */
  close(): void {
    this.child?.stdin?.end()
    this.child = undefined
  }
}
