import type { ProviderDiagnosis } from '../define-service.js'
import { dockerEngineInfo, dockerHasImage } from './docker-engine-info.js'

/**
 * A container provider's diagnosis: the engine (as its bounded probe finds it) and whether it has the
 * image the provider would run. Nothing is pulled or started.
 */
export async function diagnoseContainer(image: string): Promise<ProviderDiagnosis> {
  let engine: Awaited<ReturnType<typeof dockerEngineInfo>>
  try {
    engine = await dockerEngineInfo()
  } catch (error) {
    return { applicable: false, reason: (error as Error).message, found: { image } }
  }
  const found = { engine: `${engine.host} (Docker ${engine.version}, API ${engine.apiVersion})`, image }
  let local: boolean
  try {
    local = await dockerHasImage(image)
  } catch (error) {
    return {
      applicable: true,
      reason: `the Docker engine answers; ${image}: ${(error as Error).message}`,
      found,
    }
  }
  return local
    ? {
        applicable: true,
        reason: `the Docker engine answers and has ${image}`,
        found: { ...found, image: `${image} (local)` },
      }
    : {
        applicable: true,
        reason: `the Docker engine answers; ${image} is not local: starting pulls it`,
        found: { ...found, image: `${image} (not local)` },
      }
}
