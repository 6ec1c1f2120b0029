// @cftp/server: the CFTP server engine (docs/protocol.md). A library; apps/cli wraps it.
export { type DataChannel, normalizeAddress, openDataChannel } from './data-channel.js';
export { LocalStorage } from './local-storage.js';
export {
  type Account,
  type Authenticate,
  type Authorize,
  type Operation,
  READ_OPERATIONS,
  readOnly,
  SERVER_DEFAULTS,
  SERVER_RECLAIM_EVERY_BYTES,
  type ServerOptions,
  type ServerTlsOptions,
  type SessionInfo,
} from './options.js';
export {
  CftpServer,
  type CftpServerEvents,
  createServer,
  type RefusedConnection,
} from './server.js';
export type { ListingSkippedEvent, OperationEvent } from './session.js';
export {
  IO_CHUNK_BYTES,
  type Listing,
  type ListOptions,
  type ReadableFile,
  type Storage,
  type Subtree,
  type SubtreeEntry,
  type SweepOptions,
  type SweepResult,
  storageError,
  type Upload,
  type UploadOptions,
} from './storage.js';
