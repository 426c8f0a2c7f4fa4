/** Thrown by a probe when waiting cannot help (a wrong password, say): readiness gives up at once. */
export class ProbeRefused extends Error {
  override name = 'ProbeRefused'
}
