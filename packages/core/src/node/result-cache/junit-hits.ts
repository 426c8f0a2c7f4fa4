// Cache hits in Vitest's JUnit report. A hit is taken out of the run before Vitest schedules it, so
// Vitest's JUnit reporter never hears of it, and a CI's test view would show the file as gone. When
// the config names a JUnit report file (`reporters: [['junit', { outputFile }]]`, or `junit` with
// `outputFile.junit`, the command line's `--outputFile.junit=…` included), each hit is added to it as
// a skipped test case with the hit's reason. Vitest writes that file in its reporter's onTestRunEnd,
// alongside (not before) this one's, so the hits go in when the process exits: every reporter has
// finished by then.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import type { Vitest } from 'vitest/node'

export interface JUnitHit {
  project: string
  /** Relative to the root. */
  file: string
  reason: string
}

type ReporterEntry = unknown

const xml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** The JUnit report files the run's config names (absolute); none when JUnit writes to stdout or is absent. */
export function junitReportFiles(vitest: Vitest): string[] {
  const { config } = vitest
  const fromOutputFile =
    typeof config.outputFile === 'string'
      ? config.outputFile
      : (config.outputFile as Record<string, string> | undefined)?.junit
  const files = new Set<string>()
  for (const entry of config.reporters as ReporterEntry[]) {
    const [name, options] = Array.isArray(entry) ? entry : [entry, {}]
    if (name !== 'junit') continue
    const file = (options as { outputFile?: string } | undefined)?.outputFile ?? fromOutputFile
    if (file) files.add(resolve(config.root, file))
  }
  return [...files]
}

/**
 * The hits added to a JUnit report Vitest wrote: one `<testsuite>` per file with one skipped
 * `<testcase>`, and the root's test count raised. A file that is not Vitest's report is left as it
 * is (and said so).
 */
export function addHitsToJUnit(path: string, hits: readonly JUnitHit[], root: string): string | undefined {
  if (!existsSync(path)) return `${relative(root, path)}: no JUnit report was written`
  const text = readFileSync(path, 'utf8')
  const open = /<testsuites\b[^>]*>/.exec(text)
  const close = text.lastIndexOf('</testsuites>')
  if (!open || close < open.index) return `${relative(root, path)}: not a JUnit report Testbed knows`
  const opening = open[0].replace(/\btests="(\d+)"/, (_, n) => `tests="${Number(n) + hits.length}"`)
  const suites = hits.map((h) =>
    [
      `    <testsuite name="${xml(h.file)}" tests="1" failures="0" errors="0" skipped="1" time="0">`,
      `        <testcase classname="${xml(h.file)}" name="${xml(`[${h.project}] ${h.file}`)}" time="0">`,
      `            <skipped message="${xml(h.reason)}"/>`,
      '        </testcase>',
      '    </testsuite>',
    ].join('\n'),
  )
  writeFileSync(
    path,
    `${text.slice(0, open.index)}${opening}${text.slice(open.index + open[0].length, close)}${suites.join('\n')}\n${text.slice(close)}`,
  )
  return undefined
}
