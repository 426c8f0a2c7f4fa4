import { request } from 'node:http'
import { dockerAddress, dockerProbeTimeoutMs, probeDocker } from '../helpers/docker-probe.js'

export interface DockerEngineInfo {
  /** DOCKER_HOST, or the local socket. */
  host: string
  /** The engine's version (`27.5.1`), and the newest API version it speaks (`1.47`). */
  version: string
  apiVersion: string
  os: string
}

/** One GET to the engine's API, bounded by the probe's timeout: the status and the parsed body. */
function dockerGet(path: string): Promise<{ status: number; body: unknown }> {
  const { options } = dockerAddress()
  const timeoutMs = dockerProbeTimeoutMs()
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...('path' in options ? { socketPath: options.path } : options),
        path,
        headers: { host: 'docker' },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () => {
          let body: unknown = text
          try {
            body = JSON.parse(text)
          } catch {}
          resolve({ status: res.statusCode ?? 0, body })
        })
        res.on('error', reject)
      },
    )
    req.on('error', (error: Error) =>
      reject(
        new Error(
          error.name === 'AbortError' ? `GET ${path} did not answer within ${timeoutMs} ms` : error.message,
        ),
      ),
    )
    req.end()
  })
}

const infos = new Map<string, Promise<DockerEngineInfo>>()

/**
 * The engine's version and API version, after the same bounded `/_ping` a run's container providers
 * wait for; rejects with the probe's reason (no socket, refused, or accepted and never answered).
 * Asked once per DOCKER_HOST: every container provider's diagnosis shares the answer.
 */
export function dockerEngineInfo(): Promise<DockerEngineInfo> {
  const key = process.env.DOCKER_HOST ?? ''
  let info = infos.get(key)
  if (!info) {
    info = probeDocker().then(async (engine) => {
      const { status, body } = await dockerGet('/version').catch((error: Error) => {
        throw new Error(
          `the Docker engine at ${engine.host} answered /_ping but not /version: ${error.message}`,
        )
      })
      const v = (status === 200 ? body : {}) as {
        Version?: string
        ApiVersion?: string
        Os?: string
        Arch?: string
      }
      return {
        host: engine.host,
        version: v.Version ?? 'unknown',
        apiVersion: v.ApiVersion ?? 'unknown',
        os: [v.Os, v.Arch].filter(Boolean).join('/') || 'unknown',
      }
    })
    infos.set(key, info)
  }
  return info
}

/** Whether the engine has `image` locally (a run would not pull it). */
export async function dockerHasImage(image: string): Promise<boolean> {
  const { status, body } = await dockerGet(`/images/${encodeURI(image)}/json`)
  if (status === 200) return true
  if (status === 404) return false
  throw new Error(`the Docker engine answered ${status} for the image ${image}: ${JSON.stringify(body)}`)
}
