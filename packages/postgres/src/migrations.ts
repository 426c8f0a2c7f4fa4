import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import type pg from 'pg'

/** A folder of `.sql` files applied in name order, or a function given a client on the new database. */
export type Migrations = string | MigrationFunction
export type MigrationFunction = ((client: pg.Client) => Promise<void>) & { version?: string }

interface SqlFile {
  name: string
  sql: string
}

async function sqlFiles(dir: string): Promise<SqlFile[]> {
  const root = resolve(dir)
  let names: string[]
  try {
    names = (await readdir(root))
      .filter((n) => n.endsWith('.sql'))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  } catch (error) {
    throw new Error(
      `cannot read the migrations folder ${root}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    )
  }
  return Promise.all(
    names.map(async (name) => ({ name: join(root, name), sql: await readFile(join(root, name), 'utf8') })),
  )
}

/**
 * What identifies a schema: a hash of the files' names and contents, or of the function's source and
 * its optional `version`. The template database is named after it, so a changed migration builds a
 * new template and an unchanged one is reused.
 */
export async function migrationsKey(migrations: Migrations | undefined): Promise<string> {
  const hash = createHash('sha256')
  if (typeof migrations === 'string')
    for (const f of await sqlFiles(migrations)) hash.update(`${basename(f.name)}\0${f.sql}\0`)
  else if (migrations) hash.update(`${migrations.version ?? ''}\0${migrations.toString()}`)
  return hash.digest('hex').slice(0, 12)
}

/** The template database of a migrations key (what `ensureTemplate` builds). */
export const templateName = (key: string): string => `testbed_tpl_${key}`

function lineOf(sql: string, position: number | undefined): number | undefined {
  if (!position) return undefined
  return sql.slice(0, position - 1).split('\n').length
}

/** Applies the migrations; an SQL error names the file and line. */
export async function applyMigrations(client: pg.Client, migrations: Migrations | undefined): Promise<void> {
  if (!migrations) return
  if (typeof migrations === 'function') return migrations(client)
  for (const file of await sqlFiles(migrations)) {
    try {
      await client.query(file.sql)
    } catch (error) {
      const e = error as Error & { position?: string }
      const line = lineOf(file.sql, Number(e.position) || undefined)
      throw new Error(`migration ${file.name}${line ? ` line ${line}` : ''}: ${e.message}`)
    }
  }
}
