import type pg from 'pg'

/**
 * `pg`, loaded on first use: the service definition is imported by every vitest.config.ts that
 * registers PostgreSQL, and most runs (those with no test needing it) never connect.
 */
export const loadPg = (): Promise<typeof pg> => import('pg').then((m) => m.default)
