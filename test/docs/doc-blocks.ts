// The TypeScript code blocks of the user guide and the package READMEs, and the typecheck that keeps
// them true: every ```ts block is a complete file that must compile against the workspace's packages,
// unless its info string says ```ts fragment.
import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

export interface DocBlock {
  /** The markdown file, relative to the repository root, with `/` separators. */
  doc: string
  /** 1-based line of the opening fence. */
  line: number
  /** `ts`, `sh`, … : the info string's first word. */
  lang: string
  /** Marked ```ts fragment: a piece of a file, shown for its shape, not compiled. */
  fragment: boolean
  /** The path a first-line comment names (`// vitest.workspace.ts`), where the block is written. */
  file: string | undefined
  code: string
}

const FENCE = /^( *)(`{3,}|~{3,})(.*)$/
const FILE_LABEL = /^\/\/ ((?:[\w.-]+\/)*[\w.-]+\.ts)(?::|\s|$)/

/** The fenced code blocks of a markdown file; a fence indented in a list has its indent removed. */
export function extractBlocks(markdown: string, doc: string): DocBlock[] {
  const blocks: DocBlock[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] as string)
    if (!open) continue
    const [, indent = '', fence = '', info = ''] = open
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length; j++) {
      const close = FENCE.exec(lines[j] as string)
      if (close && close[2]?.[0] === fence[0] && (close[2]?.length ?? 0) >= fence.length && !close[3]?.trim())
        break
      const text = lines[j] as string
      body.push(text.startsWith(indent) ? text.slice(indent.length) : text.trimStart())
    }
    const [lang = '', ...flags] = info.trim().split(/\s+/)
    const code = `${body.join('\n')}\n`
    blocks.push({
      doc,
      line: i + 1,
      lang,
      fragment: flags.includes('fragment'),
      file: FILE_LABEL.exec(body[0] ?? '')?.[1],
      code,
    })
    i = j
  }
  return blocks
}

export function isTypeScript(block: DocBlock): boolean {
  return block.lang === 'ts' || block.lang === 'typescript'
}

/** README.md, docs/*.md and packages/*\/README.md, relative to the repository root. */
export function docFiles(root = repoRoot): string[] {
  const md = (dir: string) =>
    readdirSync(join(root, dir))
      .filter((name) => name.endsWith('.md'))
      .map((name) => (dir ? `${dir}/${name}` : name))
  const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && readdirSync(join(root, 'packages', entry.name)).includes('README.md'),
    )
    .map((entry) => `packages/${entry.name}/README.md`)
  return ['README.md', ...md('docs'), ...packages].sort()
}

export function readBlocks(doc: string, root = repoRoot): DocBlock[] {
  return extractBlocks(readFileSync(join(root, doc), 'utf8'), doc)
}

export interface WrittenBlock {
  block: DocBlock
  /** Absolute path of the block's own file. */
  path: string
  /** The block's directory: its file and its neighbours. */
  dir: string
}

/**
 * Writes every complete TypeScript block into a directory of its own under `dir`, at the path its label
 * names (else `block.ts`). The latest earlier labelled block of each path in the same document is
 * written beside it, so `import { testbed } from './vitest.workspace.ts'` finds the workspace the
 * document showed before.
 */
export function writeBlocks(blocks: DocBlock[], dir: string): WrittenBlock[] {
  const written: WrittenBlock[] = []
  const neighbours = new Map<string, Map<string, string>>()
  for (const block of blocks) {
    if (!isTypeScript(block) || block.fragment) continue
    const slug = block.doc.replace(/[^\w]+/g, '_')
    const blockDir = join(dir, slug, `L${block.line}`)
    const own = block.file ?? 'block.ts'
    const earlier = neighbours.get(block.doc) ?? new Map<string, string>()
    for (const [file, code] of earlier) if (file !== own) write(join(blockDir, file), code)
    const path = join(blockDir, own)
    write(path, block.code)
    written.push({ block, path, dir: blockDir })
    if (block.file) earlier.set(block.file, block.code)
    neighbours.set(block.doc, earlier)
  }
  return written
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
}

/** A tsconfig for the given blocks: the workspace's compiler options, every file a module. */
function writeTsconfig(dir: string, blocks: WrittenBlock[], root: string): string {
  const path = join(dir, `tsconfig.${blocks.length}.json`)
  const posix = (p: string) => relative(dir, p).split(sep).join('/')
  write(
    path,
    JSON.stringify({
      extends: posix(join(root, 'tsconfig.json')),
      compilerOptions: {
        noEmit: true,
        composite: false,
        declaration: false,
        declarationMap: false,
        incremental: false,
        allowImportingTsExtensions: true,
        moduleDetection: 'force',
      },
      files: [],
      include: blocks.map((w) => `${posix(w.dir)}/**/*.ts`),
    }),
  )
  return path
}

export interface BlockError {
  block: DocBlock
  /** `docs/pipelines.md:78`: where in the document the error is. */
  where: string
  message: string
}

const TSC_ERROR = /^(.+?)\((\d+),(\d+)\): (error TS(\d+): .*)$/

/**
 * Runs the workspace's `tsc` on the written blocks and maps its errors back to the blocks' documents and
 * lines. tsc reports no type errors while any file has a syntax error, so blocks with syntax errors are
 * left out of a second run that finds the others' type errors.
 */
export async function typecheck(
  dir: string,
  written: WrittenBlock[],
  root = repoRoot,
): Promise<BlockError[]> {
  const errors = await tsc(dir, written, root)
  const broken = new Set(errors.filter((e) => e.syntax).map((e) => e.block))
  if (broken.size === 0) return errors
  const rest = written.filter((w) => !broken.has(w.block))
  return [...errors.filter((e) => broken.has(e.block)), ...(rest.length ? await tsc(dir, rest, root) : [])]
}

async function tsc(
  dir: string,
  written: WrittenBlock[],
  root: string,
): Promise<Array<BlockError & { syntax: boolean }>> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      join(root, 'node_modules', '.bin', 'tsc'),
      ['--noEmit', '--pretty', 'false', '-p', writeTsconfig(dir, written, root)],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // tsc exits non-zero when it found errors; failing to run at all is the test's failure.
        if (error && typeof error.code !== 'number') reject(error)
        else resolve(`${stdout}${stderr}`)
      },
    )
  })
  const byPath = new Map(written.map((w) => [w.path, w.block]))
  const errors: Array<BlockError & { syntax: boolean }> = []
  // The error that indented continuation lines (elaborations) belong to; null while skipping one.
  let last: (BlockError & { syntax: boolean }) | null | undefined
  for (const line of output.split('\n')) {
    if (!line.trim()) continue
    const match = TSC_ERROR.exec(line)
    if (!match) {
      if (last !== undefined && line.startsWith(' ')) {
        if (last) last.message += `\n${line}`
      } else {
        last = unattributed(line)
        errors.push(last)
      }
      continue
    }
    const [, file = '', row = '0', , message = '', code = '0'] = match
    const path = join(root, file)
    const block = byPath.get(path)
    if (block) {
      last = {
        block,
        where: `${block.doc}:${block.line + Number(row)}`,
        message,
        syntax: Number(code) < 2000,
      }
      errors.push(last)
    } else if (path.startsWith(dir)) {
      // An error in a neighbour's copy is reported at the neighbour's own block.
      last = null
    } else {
      last = unattributed(line)
      errors.push(last)
    }
  }
  return errors
}

/** Output tsc printed that names no block (a broken tsconfig, say): still a failure, shown as it is. */
function unattributed(line: string): BlockError & { syntax: boolean } {
  const block: DocBlock = { doc: '(tsc)', line: 0, lang: 'ts', fragment: false, file: undefined, code: '' }
  return { block, where: '(tsc)', message: line, syntax: false }
}

/**
 * A document's example as a project: its latest complete block of each labelled path, written under
 * `dir`, with `extra` files (what the document only describes, such as a migration).
 */
export function writeProject(
  doc: string,
  dir: string,
  extra: Record<string, string> = {},
  root = repoRoot,
): string[] {
  const files = new Map<string, string>()
  for (const block of readBlocks(doc, root)) {
    if (isTypeScript(block) && !block.fragment && block.file) files.set(block.file, block.code)
  }
  for (const [file, text] of Object.entries(extra)) files.set(file, text)
  for (const [file, text] of files) write(join(dir, file), text)
  return [...files.keys()].sort()
}

/**
 * The blocks of a document that show what Testbed's reporter prints: plain ``` blocks whose first
 * line is a section heading (` Journeys`, ` Faults injected`), as the reporter indents it.
 */
export function reportBlocks(doc: string, root = repoRoot): DocBlock[] {
  return readBlocks(doc, root).filter((b) => b.lang === '' && /^ \S/.test(b.code))
}

/**
 * A `sh` block's command (`VAR=value npx vitest run args…`) and the report lines its comments show
 * under it (`#  Skipped, with reasons`), without the `# `.
 */
export interface ShownCommand {
  env: Record<string, string>
  args: string[]
  printed: string
}

export function shownCommands(doc: string, root = repoRoot): ShownCommand[] {
  const commands: ShownCommand[] = []
  for (const block of readBlocks(doc, root).filter((b) => b.lang === 'sh')) {
    for (const line of block.code.split('\n')) {
      if (line.startsWith('#')) {
        const last = commands.at(-1)
        if (last) last.printed += `${line.replace(/^# ?/, '')}\n`
        continue
      }
      const words = [...line.replace(/\s+#.*$/, '').matchAll(/'([^']*)'|(\S+)/g)].map(
        (m) => m[1] ?? m[2] ?? '',
      )
      const env: Record<string, string> = {}
      while (/^\w+=/.test(words[0] ?? '')) {
        const [name = '', ...value] = (words.shift() as string).split('=')
        env[name] = value.join('=')
      }
      if (words.slice(0, 3).join(' ') === 'npx vitest run')
        commands.push({ env, args: words.slice(3), printed: '' })
    }
  }
  return commands
}

const DURATION = /\d+\.\d+ s/
const indentOf = (line: string) => line.length - line.trimStart().length

/** A shown report line as a pattern: its durations (`0.21 s`) stand for any duration. */
function linePattern(line: string): RegExp {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`^${line.split(DURATION).map(literal).join(DURATION.source)}$`)
}

/**
 * What of a shown report is not in the printed one, by entry: each of the shown sections (a line
 * indented by one space) must be printed, and each of its entries (a line indented by three spaces,
 * with the deeper lines under it, such as a journey's heading and its rows) printed in that section,
 * its lines together and in order. Other sections and entries may be printed besides.
 */
export function missingFromReport(shown: string, printed: string): string[] {
  const sections: Array<{ heading: string; entries: string[][] }> = []
  for (const line of shown.split('\n').filter((l) => l.trim())) {
    const indent = indentOf(line)
    if (indent <= 1) sections.push({ heading: line, entries: [] })
    else if (indent <= 3) sections.at(-1)?.entries.push([line])
    else sections.at(-1)?.entries.at(-1)?.push(line)
  }
  const out = printed.split('\n')
  const missing: string[] = []
  for (const { heading, entries } of sections) {
    const start = out.indexOf(heading)
    if (start < 0) {
      missing.push(`the section '${heading.trim()}'`)
      continue
    }
    const end = out.findIndex((l, i) => i > start && (indentOf(l) <= 1 || !l.trim()))
    const section = out.slice(start + 1, end < 0 ? undefined : end)
    for (const entry of entries) {
      const patterns = entry.map(linePattern)
      const found = section.some((_, i) => patterns.every((p, k) => p.test(section[i + k] ?? '')))
      if (!found) missing.push(`in '${heading.trim()}': ${entry.join('\n')}`)
    }
  }
  return missing
}
