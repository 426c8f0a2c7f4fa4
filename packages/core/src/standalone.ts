// What a standalone emulator needs, and nothing that runs only under Vitest: an emulator's CLI runs as
// a plain Node process and imports this entry (node: modules only, neither vitest nor vite).

export {
  type EmulatorCliAddress,
  type EmulatorCliSpec,
  type EmulatorCliValues,
  type RunningEmulator,
  runEmulatorCli,
} from './shared/emulator-cli.js'
export { EMULATOR_HEADER } from './shared/emulator-header.js'
export {
  type LoopbackServer,
  type LoopbackServerOptions,
  startLoopbackServer,
} from './shared/loopback-server.js'
