import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import { migrationsKey } from './migrations.ts'

function folder(files: Record<string, string>): string {
  const dir = scratchDir('migrations-key')
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql)
  return dir
}

describe('the template key', { tags: ['tier1'] }, () => {
  test('is the same for the same migrations, wherever they are', async () => {
    const files = { '001_a.sql': 'CREATE TABLE a ();', '002_b.sql': 'CREATE TABLE b ();' }
    expect(await migrationsKey(folder(files))).not.toBe(
      await migrationsKey(folder({ '001_a.sql': 'CREATE TABLE a ();' })),
    )
    // Another checkout of the same migrations reuses the template on a server that outlives runs.
    expect(await migrationsKey(folder(files))).toBe(await migrationsKey(folder(files)))
  })

  test('changes when a file changes', async () => {
    const before = await migrationsKey(folder({ '001_a.sql': 'CREATE TABLE a ();' }))
    const after = await migrationsKey(folder({ '001_a.sql': 'CREATE TABLE a (id int);' }))
    expect(after).not.toBe(before)
  })

  test('follows a function’s source and version', async () => {
    const one = Object.assign(async () => {}, { version: '1' })
    const two = Object.assign(async () => {}, { version: '2' })
    expect(await migrationsKey(one)).not.toBe(await migrationsKey(two))
  })

  test('names the folder when it cannot be read', async () => {
    await expect(migrationsKey('/nonexistent/migrations')).rejects.toThrow(
      'cannot read the migrations folder /nonexistent/migrations: ENOENT',
    )
  })
})
