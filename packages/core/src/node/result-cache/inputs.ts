// Files a test depends on that Vitest never records: what a spawned child process runs (a CLI, a
// built `dist/`) and what a test reads with fs (fixtures). `resultCache.inputs` names them as globs
// relative to the root; their paths and contents are hashed into one digest that goes into every key
// of the run, so a change to any of them re-runs every file (the cache cannot know which file reads
// which, so it assumes all do).
import { glob } from 'node:fs/promises'
import { isAbsolute, join, posix, relative, sep } from 'node:path'
import { CacheSettingError } from './cache-mode.js'
import { canonicalDigest, type FileDigests } from './file-digests.js'

/** What the key holds of the inputs: the patterns as written, how many files matched, one digest over them. */
export interface InputsPart {
  patterns: string[]
  files: number
  digest: string
}

// Never inputs, whatever a pattern says: the lockfile stands for node_modules, Git's own files are
// not the project's, and the local store would change with every run that writes it.
// The directories themselves too, so that the walk does not go into them.
const ALWAYS_SKIPPED = ['node_modules', '.git', '.testbed'].flatMap((d) => [`**/${d}`, `**/${d}/**`])

function balanced(pattern: string): boolean {
  let square = 0
  let curly = 0
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '\\') i++
    else if (c === '[') square++
    else if (c === ']' && square > 0) square--
    else if (c === '{') curly++
    else if (c === '}') curly--
    if (curly < 0) return false
  }
  return square === 0 && curly === 0
}

/** Each pattern checked before anything runs: a relative, well-formed glob that stays inside the root. */
export function checkInputPatterns(patterns: unknown): string[] {
  if (patterns === undefined) return []
  if (!Array.isArray(patterns)) throw new CacheSettingError('resultCache.inputs: expected a list of globs')
  for (const pattern of patterns) {
    if (typeof pattern !== 'string' || !pattern.trim())
      throw new CacheSettingError(
        `resultCache.inputs: ${JSON.stringify(pattern)} is not a glob (expected a non-empty string)`,
      )
    const normal = posix.normalize(pattern.replaceAll('\\', '/'))
    if (isAbsolute(pattern) || posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../'))
      throw new CacheSettingError(
        `resultCache.inputs: '${pattern}' is outside the root (globs are relative to the root, inside it)`,
      )
    if (!balanced(pattern))
      throw new CacheSettingError(`resultCache.inputs: '${pattern}' is not a glob (unbalanced [ ] or { })`)
  }
  return [...patterns]
}

/** The inputs' part of every key: each matched file's path (relative, `/`) and content's SHA-256. */
export async function inputsPart(
  root: string,
  patterns: string[],
  digests: FileDigests,
): Promise<InputsPart> {
  const files = new Set<string>()
  for await (const entry of glob(patterns, { cwd: root, withFileTypes: true, exclude: ALWAYS_SKIPPED })) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue
    // A link counts by what it points to: that is what a test reading it gets.
    files.add(relative(root, join(entry.parentPath, entry.name)))
  }
  const sorted = [...files].sort()
  const hashed = await Promise.all(
    sorted.map(async (rel) => [rel.split(sep).join('/'), (await digests.of(join(root, rel))) ?? 'missing']),
  )
  return {
    patterns: [...patterns],
    files: sorted.length,
    digest: canonicalDigest(Object.fromEntries(hashed)),
  }
}
