// The hostile CFTP server of apps/hostile's client suite: scripted lies on a real socket.
export {
  type DataPlan,
  type DataRecord,
  HOST,
  type OpenedData,
} from './data-channel.js';
export {
  type DonePlan,
  dirEntry,
  fileEntry,
  type Greeting,
  type Handlers,
  type HostileOptions,
  HostileServer,
  HostileSession,
  MTIME,
  serveBatch,
  sha256,
  TEST_TLS,
} from './server.js';
export { startWebServer, type WebServer } from './web-server.js';
