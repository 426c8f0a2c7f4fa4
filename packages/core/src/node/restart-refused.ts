/** Why the hub will not restart a service (it did not start it, does not know it): the test is told this. */
export class RestartRefused extends Error {
  override name = 'RestartRefused'
}
