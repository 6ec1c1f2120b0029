// @cftp/client: the CFTP client engine (docs/protocol.md). Promises, progress, AbortSignal.
export {
  AbortError,
  CftpError,
  type Entry,
  type EntryType,
  type ErrorCode,
  IntegrityError,
} from '@cftp/protocol';
export { certificateFingerprint } from '@cftp/transfer';
export { CftpClient } from './client.js';
export { connect, HostKeyChangedError } from './connect.js';
export {
  eachLimit,
  entryFailure,
  type FailedEntry,
  type FileItem,
  type FilesOptions,
  type FilesProgress,
  type FilesResult,
  type TransferFailure,
} from './files.js';
export {
  keptPartial,
  listPartials,
  type PartialFile,
  partialStem,
  partialsFor,
  partialTarget,
  removePartial,
} from './partials.js';
export type { ExecuteResult, SyncClient } from './sync/execute.js';
export { type FilterRule, makeIncluded, type PathFilter, pathFilter } from './sync/filter.js';
export { type LocalTreeOptions, localTree } from './sync/local-tree.js';
export {
  type PlanItem,
  type PlanOptions,
  type PlanSummary,
  planItems,
  planSync,
  type SyncAction,
  type SyncEntry,
  type SyncPlan,
  type SyncReason,
  type SyncSkip,
  type SyncTree,
  summarize,
} from './sync/plan.js';
export {
  remoteTree,
  type SyncOptions,
  type SyncResult,
  type SyncSession,
  sync,
} from './sync/sync.js';
export type {
  LinkMode,
  SkippedEntry,
  TreeOptions,
  TreeProgress,
  TreeResult,
} from './tree.js';
export type { TreeEntry, TreeListing, TreeListOptions } from './tree-list.js';
export type {
  BatchItem,
  BatchOptions,
  BatchResult,
  CftpClientEvents,
  ClientLimits,
  ClientTlsOptions,
  ConnectOptions,
  GetOptions,
  OperationOptions,
  Progress,
  ProgressListener,
  PutOptions,
  TransferOptions,
  TransferResult,
} from './types.js';
