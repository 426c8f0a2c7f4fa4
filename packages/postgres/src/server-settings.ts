/**
 * Settings for a throwaway test server: durability off (a crash loses nothing we need), enough
 * connections for parallel workers, the least WAL (`wal_level=minimal`, which needs no WAL
 * senders), and few shared buffers: a clone's two checkpoints scan every buffer header and a drop
 * scans every buffer for the database's pages, so both cost less (docs/decisions.md; a suite that
 * loads much data sets `settings: { shared_buffers: '128MB' }`). Never applied to a server Testbed
 * did not start.
 */
export const testServerSettings: Record<string, string> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  wal_level: 'minimal',
  max_wal_senders: '0',
  max_connections: '200',
  shared_buffers: '16MB',
}

/**
 * `pg_hba.conf` for a server Testbed started: local (unix-socket) connections trusted, for the
 * socket sits in a directory only this user can enter; TCP asks for the password, as servers do.
 */
export const testServerHba = `local all all trust
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
`

/** `-c key=value` for each setting: Testbed's test settings, with yours on top. */
export function settingsArgs(settings: Record<string, string> = {}): string[] {
  const ours = { ...testServerSettings }
  // Your wal_level (logical, for replication tests) comes with the server's default WAL senders.
  if (settings.wal_level !== undefined) delete ours.max_wal_senders
  return Object.entries({ ...ours, ...settings }).flatMap(([key, value]) => ['-c', `${key}=${value}`])
}
