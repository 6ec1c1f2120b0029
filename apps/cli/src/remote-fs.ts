// The part of the client engine (@cftp/client) that the commands use, as one interface, so
// that the commands are written against what they need and unit tests can stand in for it.
import {
  type CftpClient,
  type Entry,
  type FileItem,
  type FilesOptions,
  type FilesResult,
  type GetOptions,
  type OperationOptions,
  type PutOptions,
  type SkippedEntry,
  type SyncOptions,
  type SyncResult,
  sync,
  type TransferResult,
  type TreeOptions,
  type TreeResult,
} from '@cftp/client';

export type { FileItem, FilesOptions, FilesResult, SkippedEntry, TransferResult, TreeResult };

export interface RemoteFs {
  list(path: string, options?: OperationOptions): Promise<Entry[]>;
  stat(path: string): Promise<Entry>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  delete(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  get(remote: string, local: string, options?: GetOptions): Promise<TransferResult>;
  put(local: string, remote: string, options?: PutOptions): Promise<TransferResult>;
  /** Folder trees and lists of files, several at a time, small ones in batches (§6.7). */
  getTree(remote: string, local: string, options?: TreeOptions): Promise<TreeResult>;
  putTree(local: string, remote: string, options?: TreeOptions): Promise<TreeResult>;
  getFiles(items: readonly FileItem[], options?: FilesOptions): Promise<FilesResult>;
  putFiles(items: readonly FileItem[], options?: FilesOptions): Promise<FilesResult>;
  /** Keeps a tree in step with another (`sync`); absent where there is no server. */
  sync?(options: SyncOptions): Promise<SyncResult>;
}

export function remoteFs(client: CftpClient): RemoteFs {
  return {
    list: (path, options) => client.list(path, options),
    stat: (path) => client.stat(path),
    mkdir: (path) => client.mkdir(path),
    rmdir: (path) => client.rmdir(path),
    delete: (path) => client.delete(path),
    rename: (from, to) => client.rename(from, to),
    get: (remote, local, options) => client.get(remote, local, options),
    put: (local, remote, options) => client.put(local, remote, options),
    getTree: (remote, local, options) => client.getTree(remote, local, options),
    putTree: (local, remote, options) => client.putTree(local, remote, options),
    getFiles: (items, options) => client.getFiles(items, options),
    putFiles: (items, options) => client.putFiles(items, options),
    sync: (options) => sync(client, options),
  };
}
