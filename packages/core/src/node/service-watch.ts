import { readdirSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import type { Vitest } from 'vitest/node'
import { processSingleton } from '../shared/process-singleton.js'
import { requirementTag } from '../shared/requirement.js'
import type { ServiceDefinition } from './define-service.js'

interface TaskLike {
  tags?: string[]
  tasks?: TaskLike[]
}

const uses = (task: TaskLike, tag: string): boolean =>
  Boolean(task.tags?.includes(tag) || task.tasks?.some((t) => uses(t, tag)))

const inside = (path: string, root: string) => {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep))
}

// Once per Vitest instance and service: every project's plugin joins the same run, through
// whichever module graph loaded this module.
const watching = processSingleton('service-watch', () => new WeakMap<Vitest, Set<string>>())

/** Every file under `paths` with its mtime: adding a watched path reports these as added. */
function snapshot(paths: string[]): Map<string, number> {
  const files = new Map<string, number>()
  const walk = (path: string) => {
    try {
      const stat = statSync(path)
      if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name))
      else files.set(path, stat.mtimeMs)
    } catch {}
  }
  for (const path of paths) walk(path)
  return files
}

/**
 * In watch mode, a change under a service's `watch()` paths reruns the test files that use the
 * service (a test marked `requires_<name>`). Vitest reruns only the importers of a changed module,
 * and a migration is no module; its own `watchTriggerPatterns` ignore a removed file. The rerun
 * waits for a run in progress; the files' fixtures then see the change (PostgreSQL rebuilds its
 * template under the new migrations' key).
 */
export function watchServices(
  vitest: Vitest,
  services: readonly ServiceDefinition<unknown>[],
  /** Before the rerun: a service whose provisioning failed at the start is started anew (the hub). */
  beforeRerun: (service: string) => Promise<void> = async () => {},
): void {
  if (!vitest.config.watch) return
  const seen = watching.get(vitest) ?? new Set<string>()
  watching.set(vitest, seen)
  for (const service of services) {
    if (seen.has(service.name) || !service.watch) continue
    const paths = service.watch().map((p) => resolve(p))
    if (!paths.length) continue
    seen.add(service.name)
    const tag = requirementTag(service.name)
    let timer: NodeJS.Timeout | undefined
    const rerun = () => {
      timer = undefined
      // One entry per file, whatever number of projects ran it; its specifications cover each project.
      const files = new Set(
        vitest.state
          .getFiles()
          .filter((file) => uses(file as TaskLike, tag))
          .map((file) => file.filepath),
      )
      const specifications = [...files].flatMap((file) => vitest.getModuleSpecifications(file))
      if (!specifications.length) return
      void beforeRerun(service.name)
        .catch(() => {})
        .then(() => vitest.rerunTestSpecifications(specifications))
    }
    const initial = snapshot(paths)
    const changed = (path: string) => {
      const file = resolve(path)
      if (!paths.some((root) => inside(file, root))) return
      // The watcher's first scan of a path reports what was there already: not a change.
      const before = initial.get(file)
      initial.delete(file)
      if (before !== undefined && before === snapshot([file]).get(file)) return
      // An editor's save or a rename is several events: one rerun for them.
      clearTimeout(timer)
      timer = setTimeout(rerun, 150)
    }
    const watcher = vitest.vite.watcher
    watcher.add(paths)
    for (const event of ['add', 'change', 'unlink'] as const) watcher.on(event, changed)
    vitest.onClose(() => {
      clearTimeout(timer)
      for (const event of ['add', 'change', 'unlink'] as const) watcher.off(event, changed)
    })
  }
}
