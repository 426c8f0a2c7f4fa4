// Node-side API: what vitest.workspace.ts imports.
export { natsServerBinary } from './binaries.js'
export type { NatsConnection, NatsFound } from './connection.js'
export type { BinaryOptions } from './providers/binary.js'
export type { ContainerOptions } from './providers/container.js'
export type { ProvisionOptions } from './provision.js'
export { type NatsOptions, nats } from './service.js'
export type { StreamOptions } from './streams.js'
