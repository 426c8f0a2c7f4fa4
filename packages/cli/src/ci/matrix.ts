// strategy.matrix expanded by GitHub's documented rules ("Running variations of jobs in a
// workflow"): the cross product of the variables in the order they are written, `exclude` removes
// partial matches first, then each `include` entry is merged into every original combination whose
// original values it does not overwrite (values added by an earlier include may be overwritten), or,
// when it fits none, added as a combination of its own. At most 256 jobs.
import { isDeepStrictEqual } from 'node:util'
import type { Matrix } from './model.js'

export const GITHUB_MATRIX_LIMIT = 256

export class MatrixError extends Error {
  override name = 'MatrixError'
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Whether `combination` has every key of `partial` with the same value (`exclude`'s partial match). */
const matches = (combination: Matrix, partial: Matrix) =>
  Object.entries(partial).every(([k, v]) => k in combination && isDeepStrictEqual(combination[k], v))

export function expandMatrix(matrix: unknown, limit = GITHUB_MATRIX_LIMIT): Matrix[] {
  if (!isRecord(matrix)) throw new MatrixError('strategy.matrix must be a mapping of variables to lists')
  const { include = [], exclude = [], ...variables } = matrix
  if (!Array.isArray(include) || !include.every(isRecord))
    throw new MatrixError('matrix.include must be a list of mappings')
  if (!Array.isArray(exclude) || !exclude.every(isRecord))
    throw new MatrixError('matrix.exclude must be a list of mappings')
  let size = 1
  for (const [name, values] of Object.entries(variables)) {
    if (!Array.isArray(values) || values.length === 0)
      throw new MatrixError(`matrix variable '${name}' must be a non-empty list`)
    size *= values.length
  }
  // Not built at all when even exclude could not bring it near the limit.
  if (size > limit * 1024)
    throw new MatrixError(
      `the matrix makes ${size} combinations, more than the ${limit} jobs a matrix may make`,
    )
  let product: Matrix[] = Object.keys(variables).length ? [{}] : []
  for (const [name, values] of Object.entries(variables) as [string, unknown[]][])
    product = product.flatMap((combination) => values.map((value) => ({ ...combination, [name]: value })))
  const originals = product.filter((combination) => !exclude.some((partial) => matches(combination, partial)))
  const dimensions = new Set(Object.keys(variables))
  const added: Matrix[] = []
  const combinations = originals.map((c) => ({ ...c }))
  for (const entry of include) {
    let merged = false
    originals.forEach((original, i) => {
      const overwrites = Object.entries(entry).some(
        ([k, v]) => dimensions.has(k) && k in original && !isDeepStrictEqual(original[k], v),
      )
      if (overwrites) return
      Object.assign(combinations[i] as Matrix, entry)
      merged = true
    })
    if (!merged) added.push({ ...entry })
  }
  const all = [...combinations, ...added]
  if (all.length > limit)
    throw new MatrixError(`the matrix makes ${all.length} jobs, more than the ${limit} a matrix may make`)
  return all
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))

/** GitHub's name for an expansion: `test (py39, ubuntu-latest)`, the values in the matrix's order. */
export function expandedName(name: string, matrix: Matrix | undefined): string {
  if (!matrix || Object.keys(matrix).length === 0) return name
  return `${name} (${Object.values(matrix).map(show).join(', ')})`
}
