// @cftp/server: the CFTP server engine (docs/protocol.md). A library; apps/cli wraps it.
export { type DataChannel, normalizeAddress, openDataChannel } from './data-channel.js';
export type { Authorize, Operation, ServerOptions, SessionInfo } from './options.js';
export { CftpServer, type CftpServerEvents, createServer } from './server.js';
export type { OperationEvent } from './session.js';
export {
  IO_CHUNK_BYTES,
  LocalStorage,
  type ReadableFile,
  type Storage,
  storageError,
  type Upload,
} from './storage.js';
