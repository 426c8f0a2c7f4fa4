import { connect } from 'node:net'

/** Resolves with how a connection to the port ends: 'connected', or the error code (ECONNREFUSED: nothing listens). */
export const connectionTo = (port: number, host = '127.0.0.1') =>
  new Promise<string>((resolve) => {
    const socket = connect({ host, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
