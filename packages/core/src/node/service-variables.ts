/**
 * Variables that configure one service are named `TESTBED_<SERVICE>_<WHAT>`: the service's name in
 * upper case, every non-word character replaced by `_` (`TESTBED_POSTGRES_PROVIDERS`,
 * `TESTBED_S3_IMAGE`, `TESTBED_COMPOSE_V1_PROVIDERS`).
 */
export function serviceVariable(service: string, what: string): string {
  return `TESTBED_${service.toUpperCase().replace(/\W/g, '_')}_${what}`
}

/**
 * The container image a provider runs: the plugin's `image` option, else `TESTBED_<SERVICE>_IMAGE`,
 * else the plugin's default.
 */
export function containerImage(service: string, option: string | undefined, fallback: string): string {
  return option ?? process.env[serviceVariable(service, 'IMAGE')] ?? fallback
}
