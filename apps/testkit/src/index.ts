// @cftp/testkit: process-level tools for the e2e, hostile and bench suites (not production
// code): the built `cftp` as real processes, vitest fixtures around them, a fault-injecting
// TCP proxy, and /proc readings. Protocol-level tools that packages may use live in
// @cftp/wire-test, re-exported here so an app needs one import.

export {
  freeFixedPort,
  freeFixedPortRange,
  sha256,
  sha256File,
  writeRandom,
  writeRandomBytes,
} from '@cftp/wire-test';
export {
  type Channel,
  type Direction,
  type Fault,
  FaultProxy,
  type FaultProxyOptions,
  type FaultProxyStats,
} from './fault-proxy.js';
export {
  makeTempDir,
  removeTempDirs,
  type ServerFixture,
  type ServerFixtureOptions,
  useServerProcess,
} from './fixture.js';
export {
  type ArgsFor,
  CFTP_CLI,
  PROCESS_GUARD_MS,
  withGuard,
  withPlaintext,
  withTestTls,
} from './launch.js';
export { listeningSockets, openFiles, type ProcessUsage, processUsage } from './proc.js';
export {
  type CliOptions,
  type CliResult,
  type ExitStatus,
  type LaunchOptions,
  type LogLine,
  type RunningCli,
  runCftp,
  type ServerProcess,
  type SpawnAs,
  startCftp,
  startServer,
} from './server-process.js';
export {
  cftpInTerminal,
  SCREEN_DEADLINE_MS,
  type TerminalOptions,
  TerminalRun,
} from './terminal.js';
