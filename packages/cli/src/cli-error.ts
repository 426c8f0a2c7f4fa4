/** A failure the user can act on: printed as one line (`testbed: <message>`), exit status 1. */
export class CliError extends Error {
  override name = 'CliError'
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}
