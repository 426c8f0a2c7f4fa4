import type { IncomingMessage, ServerResponse } from 'node:http'
import { EMULATOR_HEADER, startLoopbackServer } from '@testbed/core/standalone'
import { createS3Handler, type S3Handler, type S3HandlerOptions } from './router.js'

export interface S3EmulatorOptions extends S3HandlerOptions {
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0: a free port. */
  port?: number
}

export interface S3Emulator {
  /** `http://<host>:<port>`: the endpoint, path-style. */
  url: string
  close(): Promise<void>
}

/** Says who answered (`x-testbed-emulator: s3`), so that a report never passes the emulator off as S3. */
export { EMULATOR_HEADER }

function answer(handle: S3Handler, req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('error', () => res.destroy())
  req.on('end', () => {
    let response: ReturnType<S3Handler>
    try {
      response = handle({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
      })
    } catch (error) {
      // A fault of the emulator's own, not a refusal S3 would make: said as S3 says it.
      const message = error instanceof Error ? error.message : String(error)
      response = {
        status: 500,
        headers: { 'content-type': 'application/xml' },
        body: Buffer.from(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>${message.replace(/[<&>]/g, ' ')}</Message></Error>`,
        ),
      }
    }
    res.writeHead(response.status, {
      'content-length': String(response.body.length),
      ...response.headers,
      [EMULATOR_HEADER]: 's3',
    })
    res.end(response.body)
  })
}

/** Testbed's S3 emulator on loopback (or `host`), in this process. */
export async function startS3Emulator(options: S3EmulatorOptions): Promise<S3Emulator> {
  const handle = createS3Handler(options)
  const { url, close } = await startLoopbackServer((req, res) => answer(handle, req, res), {
    host: options.host,
    port: options.port,
  })
  return { url, close }
}
