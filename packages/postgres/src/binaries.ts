import { findBinaryDir, hostBinaries, type ServiceDefinition, versionedDirs } from '@testbed/core/config'

const programs = ['initdb', 'postgres']
/** Where distributions install PostgreSQL's server programs, newest version first (Debian, Ubuntu). */
const packagedDirs = () => versionedDirs('/usr/lib/postgresql', 'bin')

/** The directory holding `initdb` and `postgres`: PATH first, then the packaged locations. */
export function findPostgresBinaries(): string | undefined {
  return findBinaryDir(programs, packagedDirs())
}

/** The server programs as a service: `requires_postgres_binaries` for tests that run them directly. */
export function postgresBinaries(): ServiceDefinition<string> {
  return hostBinaries('postgres_binaries', programs, packagedDirs)
}
