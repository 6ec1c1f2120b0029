// @cftp/testkit: tools for the hostile-input and fault suites. Not production code.
export {
  type Channel,
  type Direction,
  type Fault,
  FaultProxy,
  type FaultProxyOptions,
  type FaultProxyStats,
} from './fault-proxy.js';
export { listeningSockets, openFiles, type ProcessUsage, processUsage } from './proc.js';
export {
  CFTP_CLI,
  type CliResult,
  type ExitStatus,
  type LogLine,
  runCftp,
  type ServerProcess,
  type SpawnAs,
  startServer,
  withPlaintext,
} from './server-process.js';
