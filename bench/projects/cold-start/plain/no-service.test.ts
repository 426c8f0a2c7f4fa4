import { test } from 'vitest'

// The same trivial test as first.test.ts's 'no service', under plain Vitest.
test('no service', () => {
  console.log(`PLAIN_TEST_AT ${Date.now()}`)
})
