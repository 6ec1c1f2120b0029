// @cftp/client: the CFTP client engine (docs/protocol.md). Promises, progress, AbortSignal.
export {
  AbortError,
  CftpError,
  type Entry,
  type EntryType,
  type ErrorCode,
  IntegrityError,
} from '@cftp/protocol';
export {
  type BatchItem,
  type BatchOptions,
  type BatchResult,
  CftpClient,
  type CftpClientEvents,
  type ClientTlsOptions,
  type ConnectOptions,
  connect,
  type GetOptions,
  type OperationOptions,
  type PutOptions,
  type TransferOptions,
  type TransferResult,
} from './client.js';
export {
  eachLimit,
  type FileItem,
  type FilesOptions,
  type FilesProgress,
  type FilesResult,
  type TransferFailure,
} from './files.js';
export {
  certificateFingerprint,
  type Progress,
  type ProgressListener,
} from './transfer.js';
export type { TreeOptions, TreeProgress, TreeResult } from './tree.js';
