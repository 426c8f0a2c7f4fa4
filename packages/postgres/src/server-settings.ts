/**
 * Settings for a throwaway test server: durability off (a crash loses nothing we need), enough
 * connections for parallel workers. Never applied to a server Testbed did not start.
 */
export const testServerSettings: Record<string, string> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '200',
  shared_buffers: '128MB',
}

/** `-c key=value` for each setting: Testbed's test settings, with yours on top. */
export function settingsArgs(settings: Record<string, string> = {}): string[] {
  return Object.entries({ ...testServerSettings, ...settings }).flatMap(([key, value]) => [
    '-c',
    `${key}=${value}`,
  ])
}
