import type { PostgresConnection } from './connection.js'
import { migrationsKey, templateName } from './migrations.js'
import { ensureTemplate } from './template-database.js'

/**
 * The connection with the template of the migrations as they are now. The main process built the
 * template once, from the folder as it was; in `vitest` watch mode the folder may have changed since
 * (a migration added, edited, removed, renamed): then this builds the template under its new key
 * (concurrent workers wait on its advisory lock), or fails naming the migration's file and line.
 */
export async function currentTemplate(connection: PostgresConnection): Promise<PostgresConnection> {
  const dir = connection.migrationsDir
  if (!dir) return connection
  if (templateName(await migrationsKey(dir)) === connection.template) return connection
  return { ...connection, template: await ensureTemplate(connection, dir) }
}
