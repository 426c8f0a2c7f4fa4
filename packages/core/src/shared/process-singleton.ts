/**
 * One value per process, however many times this module is loaded. Vitest may load a module once per
 * project (each through its own module graph), and the main process loads core both from the config
 * and from plugins: state that must be shared (the hub connection, the run's id, the lifecycle) lives
 * on `globalThis` under `Symbol.for('testbed.' + key)`, created by the first caller.
 */
export function processSingleton<T>(key: string, create: () => T): T {
  const symbol = Symbol.for(`testbed.${key}`)
  const store = globalThis as Record<symbol, unknown>
  if (!(symbol in store)) store[symbol] = create()
  return store[symbol] as T
}
