/** Where the root token of a dev-mode server Testbed starts comes from, for messages that never show it. */
export const DEV_TOKEN_SOURCE = 'the dev root token Testbed gave the server'
