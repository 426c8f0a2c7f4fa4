import { afterEach } from 'vitest'

let printed = false
afterEach(() => {
  if (printed) return
  printed = true
  console.log(`FIRST_TEST_AT ${Date.now()}`)
})
