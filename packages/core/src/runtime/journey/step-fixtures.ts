/**
 * Vitest sets up the fixtures a test function destructures from its first parameter, which it reads
 * from the function's source. A step's test context is its second parameter (`(state, { db }) => …`),
 * so the test function that runs a step shows Vitest the step's second parameter as its first.
 */

/** Splits a parameter list at its top-level commas (Vitest's own rule). */
function splitTopLevel(list: string): string[] {
  const parts: string[] = []
  const closers: string[] = []
  let start = 0
  for (let i = 0; i < list.length; i++) {
    const c = list[i]
    if (c === '{' || c === '[') closers.push(c === '{' ? '}' : ']')
    else if (c === closers.at(-1)) closers.pop()
    else if (!closers.length && c === ',') {
      parts.push(list.slice(start, i).trim())
      start = i + 1
    }
  }
  parts.push(list.slice(start).trim())
  return parts.filter(Boolean)
}

/** What the step's second parameter asks for: the names it destructures, or `undefined` when it takes none. */
export type ContextParameter = { names: string[] } | { plain: string } | undefined

export function contextParameter(step: (...args: never[]) => unknown): ContextParameter {
  if (step.length < 2) return undefined
  const source = step.toString().replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
  const list = source.match(/^[^(]*\(([^)]*)/)?.[1]
  const second = list === undefined ? undefined : splitTopLevel(list)[1]
  if (!second) return undefined
  if (!(second.startsWith('{') && second.endsWith('}'))) return { plain: second }
  const names = splitTopLevel(second.slice(1, -1).replace(/\s/g, '')).map((p) => p.replace(/:.*|=.*/g, ''))
  return { names }
}

/**
 * `run` as a test function whose first parameter, as Vitest reads it, is what `parameters` ask for
 * together (a step, or a step and the steps a journey's re-run calls again).
 */
export function asTestFunction<F extends (...args: never[]) => unknown>(
  run: F,
  parameters: ContextParameter[],
): F {
  const plain = parameters.find((p) => p && 'plain' in p)
  const names = [...new Set(parameters.flatMap((p) => (p && 'names' in p ? p.names : [])))]
  const shown =
    plain && 'plain' in plain
      ? `(${plain.plain}) => {}`
      : names.length
        ? `({ ${names.join(', ')} }) => {}`
        : '() => {}'
  Object.defineProperty(run, 'toString', { value: () => shown })
  return run
}
