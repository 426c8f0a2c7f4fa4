import { Redis, type RedisOptions } from 'ioredis'
import { type RedisConnection, type RedisFound, redactedUrl } from './connection.js'

type SendCommand = Redis['sendCommand']
/** ioredis's options, in its default (RESP2, `legacy`) reply mapping. */
export type ClientOptions = Omit<RedisOptions, 'replyMapping'>

/**
 * ioredis's client, whose connection errors ("Connection is closed.", ECONNREFUSED, …) name the
 * server (password redacted), so a test that loses its server says which one. Replies from the
 * server (`ReplyError`: WRONGTYPE, …) are left as they are.
 */
class NamedRedis extends Redis {
  constructor(
    options: ClientOptions,
    private readonly where: string,
  ) {
    super(options)
  }

  override sendCommand(...args: Parameters<SendCommand>): ReturnType<SendCommand> {
    const [command] = args
    command.promise.catch((error: Error) => {
      if (error.name !== 'ReplyError' && !error.message.includes(this.where))
        error.message = `${error.message} (redis at ${this.where})`
    })
    return super.sendCommand(...args)
  }
}

/** ioredis options for a connection. */
export function clientOptions(c: RedisFound): ClientOptions {
  return {
    host: c.host,
    port: c.port,
    username: c.username,
    password: c.password || undefined,
    db: c.db,
    ...(c.tls ? { tls: {} } : {}),
  }
}

/**
 * A client for tests: a lost server is given up after a few reconnects, so commands fail instead of
 * waiting in the offline queue.
 */
export function redisClient(c: RedisConnection, options: ClientOptions = {}): Redis {
  const client = new NamedRedis(
    {
      ...clientOptions(c),
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => (times > 3 ? null : times * 100),
      ...options,
    },
    redactedUrl(c),
  )
  client.on('error', () => {}) // surfaced by the commands that fail
  return client
}

/** Quits, or drops the connection when the server does not answer. */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'end') return
  await Promise.race([client.quit(), new Promise((resolve) => setTimeout(resolve, 1000))]).catch(() => {})
  client.disconnect()
}
