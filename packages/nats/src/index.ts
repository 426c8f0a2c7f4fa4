/// <reference types="@testbed/core" preserve="true" />
// Worker-side API: fixtures and types for test files.
export { connectOptions, type NatsConfig, natsEnv, natsUrl } from './connection.js'
export { connectNats, type NatsFixtures, type NatsScope, natsFor, type TestStream, test } from './fixtures.js'

declare module '@testbed/core' {
  interface TestbedServices {
    nats: true
    /** `natsServerBinary()`: `nats-server` on this machine */
    nats_server: true
  }
}
