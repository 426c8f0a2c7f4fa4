/**
 * Splits SQL text into its statements at the semicolons outside quotes, quoted identifiers,
 * dollar-quoted bodies and comments, as PostgreSQL's simple query protocol does. Empty statements
 * are left out; each statement keeps its text as written (leading comments included).
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = []
  let start = 0
  let i = 0
  const n = sql.length
  while (i < n) {
    const c = sql[i]
    const next = sql[i + 1]
    if (c === "'" || c === '"') {
      // A doubled quote is an escaped one; E'…\'…' escapes with a backslash too.
      const escapes = c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/\w/.test(sql[i - 2] ?? '')
      i++
      while (i < n) {
        if (escapes && sql[i] === '\\') i += 2
        else if (sql[i] === c && sql[i + 1] === c) i += 2
        else if (sql[i] === c) break
        else i++
      }
      i++
    } else if (c === '-' && next === '-') {
      while (i < n && sql[i] !== '\n') i++
    } else if (c === '/' && next === '*') {
      // Block comments nest in PostgreSQL.
      let depth = 1
      i += 2
      while (i < n && depth > 0) {
        const pair = sql.slice(i, i + 2)
        if (pair === '/*' || pair === '*/') {
          depth += pair === '/*' ? 1 : -1
          i += 2
        } else i++
      }
    } else if (c === '$' && !/\w/.test(sql[i - 1] ?? '')) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0]
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length)
        i = end < 0 ? n : end + tag.length
      } else i++
    } else if (c === ';') {
      statements.push(sql.slice(start, i))
      start = ++i
    } else i++
  }
  statements.push(sql.slice(start))
  return statements.filter((s) => leadingWords(s, 1).length > 0)
}

/** The first `count` words of a statement, upper-cased, after any leading whitespace and comments. */
export function leadingWords(statement: string, count: number): string[] {
  const words: string[] = []
  const pattern = /\s+|--[^\n]*|\/\*[\s\S]*?\*\/|([A-Za-z_][A-Za-z0-9_]*)|(.)/gy
  for (let m = pattern.exec(statement); m && words.length < count; m = pattern.exec(statement)) {
    if (m[1]) words.push(m[1].toUpperCase())
    else if (m[2]) break
  }
  return words
}
