/// <reference types="@testbed/core" preserve="true" />
// Worker-side API: fixtures, building blocks and types for test files.
export { connectNats, connectOptions } from './client.js'
export { type NatsConnection, type NatsFound, natsEnv, natsUrl, redactedUrl } from './connection.js'
export { type NatsFixtures, natsFixtures, test } from './fixtures.js'
export { type NatsScope, type NatsScopeOptions, type TestStream, testNatsScope } from './test-scope.js'

declare module '@testbed/core' {
  interface TestbedServices {
    nats: true
    /** `natsServerBinary()`: `nats-server` on this machine */
    nats_server: true
  }
}
