import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Migrations } from '../migrations.js'
import { settingsArgs } from '../server-settings.js'
import { ensureTemplate } from '../template-database.js'
import { untilReady } from './postmaster-ready.js'

export interface TemplateClusterOptions {
  postgres: string
  /** The private directory of the server's unix socket (its trusted `hba_file` is there too). */
  socketDir: string
  hbaFile: string
  ids?: { uid: number; gid: number } | undefined
  settings?: Record<string, string> | undefined
  migrations: Migrations | undefined
}

/** The socket's name only (`.s.PGSQL.<port>`): the build server listens on no TCP port. */
const SOCKET_PORT = 5432
/** Generous: on a loaded 2-core machine a start can take seconds; a server that exits fails at once. */
const READY_WITHIN_MS = 120_000
const STOP_WITHIN_MS = 30_000

/** A server child of this process: in its process group, so that a terminal's Ctrl-C reaches it too. */
function spawnBuildServer(command: string, args: string[], ids: TemplateClusterOptions['ids']) {
  const child = spawn(command, args, {
    ...ids,
    env: { ...process.env, LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let tail = ''
  const collect = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000)
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  // Should this process exit meanwhile (an error, process.exit), the server goes with it.
  const kill = () => child.kill('SIGKILL')
  process.once('exit', kill)
  const exit = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const exited = new Promise<never>((_, reject) => {
    child.once('error', reject)
    exit.then(() =>
      reject(
        new Error(
          `postgres exited (${child.exitCode ?? child.signalCode}): ${tail.trim().split('\n').slice(-8).join('\n')}`,
        ),
      ),
    )
  })
  exited.catch(() => {})
  return {
    exited,
    /** SIGINT: PostgreSQL's fast shutdown, with its checkpoint. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT')
        const timer = setTimeout(kill, STOP_WITHIN_MS)
        await exit
        clearTimeout(timer)
      }
      process.off('exit', kill)
    },
  }
}

/**
 * Builds the migrated template inside the cluster in `data`, so that the cluster cache can keep it:
 * starts a server on it that listens on its socket alone, builds the template as every run does
 * (`ensureTemplate`), and stops it cleanly (its shutdown checkpoint leaves a cluster any copy starts
 * from without recovery). It is not one of the run's servers (the hub would wait on it, restart it):
 * a child of this process, killed should this process exit; were this process killed outright, the
 * reaper removes the temp dir and PostgreSQL shuts down once its lock file is gone.
 */
export async function buildTemplateInCluster(data: string, o: TemplateClusterOptions): Promise<void> {
  const server = spawnBuildServer(
    o.postgres,
    [
      '-D',
      data,
      '-p',
      String(SOCKET_PORT),
      '-c',
      'listen_addresses=',
      '-k',
      o.socketDir,
      '-c',
      `hba_file=${o.hbaFile}`,
      ...settingsArgs(o.settings),
    ],
    o.ids,
  )
  try {
    await untilReady(data, server.exited, READY_WITHIN_MS)
    const socket = o.socketDir
    await ensureTemplate(
      { host: socket, port: SOCKET_PORT, user: 'postgres', password: '', database: 'postgres', socket },
      o.migrations,
    )
  } finally {
    await server.stop()
  }
  // A server killed rather than shut down leaves its pid file, and a cluster that needs recovery.
  if (existsSync(join(data, 'postmaster.pid'))) throw new Error('postgres did not shut down cleanly')
}
