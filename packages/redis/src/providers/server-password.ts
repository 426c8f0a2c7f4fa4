/** Where the password of a server Testbed starts comes from, for messages that never show it. */
export const SERVER_PASSWORD_SOURCE = 'the password Testbed gave the server'
