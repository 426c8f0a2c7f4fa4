import { checkoutOf, type UpState } from './state-file.js'

/** The answer of a live `up` process to `GET /status` on its control endpoint. */
export interface UpProcessStatus {
  pid: number
  checkout: string
}

/**
 * Why the process a state file names cannot be trusted, or undefined when it can: it must answer on
 * its control endpoint with the file's token (a recycled pid, or a file copied from elsewhere, does
 * not), be the process the file names, and hold services for this checkout.
 */
export async function whyNotLive(
  state: UpState,
  root: string,
  timeoutMs = 2_000,
): Promise<string | undefined> {
  const checkout = await checkoutOf(root)
  if (state.checkout !== checkout)
    return `it was written for another checkout (${state.checkout}), not ${checkout}`
  try {
    process.kill(state.pid, 0)
  } catch {
    return `its process (pid ${state.pid}) is gone`
  }
  let answer: UpProcessStatus
  try {
    const response = await fetch(new URL('/status', state.control.url), {
      headers: { authorization: `Bearer ${state.control.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (!response.ok) return `its process (pid ${state.pid}) refused its token (HTTP ${response.status})`
    answer = (await response.json()) as UpProcessStatus
  } catch (error) {
    return `its process (pid ${state.pid}) does not answer at ${state.control.url} (${(error as Error).message})`
  }
  if (answer.pid !== state.pid) return `another process (pid ${answer.pid}) answers at ${state.control.url}`
  if (answer.checkout !== checkout) return `its process holds services for ${answer.checkout}`
  return undefined
}
