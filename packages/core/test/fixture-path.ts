import { fileURLToPath } from 'node:url'

/** The directory of one of core's fixture projects (`packages/core/test/fixtures/<name>`). */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
}
