/**
 * The response header on everything a Testbed emulator serves, its value the service it stands in for
 * (`x-testbed-emulator: s3`, `x-testbed-emulator: vault`): a client, a probe or a report can tell it
 * from the real service.
 */
export const EMULATOR_HEADER = 'x-testbed-emulator'
