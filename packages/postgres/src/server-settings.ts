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

export function settingsArgs(settings: Record<string, string> = testServerSettings): string[] {
  return Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`])
}
