// The service as a process: `PORT=0` picks a free port, printed as `listening on <port>`.
import { appFromEnv } from './app.ts'

const app = await appFromEnv()
app.server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  const address = app.server.address()
  console.log(`listening on ${typeof address === 'object' && address ? address.port : address}`)
})
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void app.close().then(() => process.exit(0)))
