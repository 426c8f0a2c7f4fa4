// Run from two files, in two workers at once where Vitest has two (test/parallel-workers.test.ts
// makes sure: the files meet before each round): each test writes into its own database and
// must never see the other worker's rows, however the two interleave.
import { setTimeout as sleep } from 'node:timers/promises'
import { meet } from '@testbed/test-support/rendezvous'
import { describe, expect } from 'vitest'
import { test } from '../src/index.ts'

export function isolationSuite(owner: string): void {
  describe('per-test databases under parallel workers', { tags: ['requires_postgres', 'tier2'] }, () => {
    for (const round of [1, 2, 3]) {
      test(`worker ${owner}, round ${round}: sees only its own rows`, async ({ database }) => {
        await meet(`postgres-${round}`, owner)
        for (let i = 0; i < 20; i++) {
          await database.query('INSERT INTO notes (owner, title, body) VALUES ($1, $2, $3)', [
            owner,
            `r${round}-${i}`,
            '.',
          ])
          await sleep(5)
        }
        const { rows } = await database.query('SELECT DISTINCT owner FROM notes')
        expect(rows).toEqual([{ owner }])
        expect((await database.query('SELECT count(*)::int AS n FROM notes')).rows[0].n).toBe(20)
      })
    }
  })
}
