// The part of the client engine (@cftp/client) that the commands use, as one interface, so
// that the commands are written against what they need and unit tests can stand in for it.
import type {
  BatchItem,
  BatchResult,
  CftpClient,
  Entry,
  GetOptions,
  OperationOptions,
  PutOptions,
  TransferResult,
} from '@cftp/client';

export type { BatchItem, BatchResult, TransferResult };

export interface RemoteFs {
  /** What the server allows in flight at once (its `welcome`, docs/protocol.md §12). */
  readonly maxInFlight: number;
  list(path: string, options?: OperationOptions): Promise<Entry[]>;
  stat(path: string): Promise<Entry>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  delete(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  get(remote: string, local: string, options?: GetOptions): Promise<TransferResult>;
  put(local: string, remote: string, options?: PutOptions): Promise<TransferResult>;
  /** Largest control frame the server takes (§12): a batch request must fit in one. */
  readonly maxFrameSize: number;
  /** Many files over one data channel (§6.7); absent when the server does not offer it. */
  putMany?(items: readonly BatchItem[], options?: OperationOptions): Promise<BatchResult>;
  getMany?(items: readonly BatchItem[], options?: OperationOptions): Promise<BatchResult>;
}

export function remoteFs(client: CftpClient): RemoteFs {
  return {
    maxInFlight: client.server?.maxInFlight ?? 16,
    list: (path, options) => client.list(path, options),
    stat: (path) => client.stat(path),
    mkdir: (path) => client.mkdir(path),
    rmdir: (path) => client.rmdir(path),
    delete: (path) => client.delete(path),
    rename: (from, to) => client.rename(from, to),
    get: (remote, local, options) => client.get(remote, local, options),
    put: (local, remote, options) => client.put(local, remote, options),
    maxFrameSize: client.server?.maxFrameSize ?? 65_536,
    ...(client.server?.features.includes('batch')
      ? {
          putMany: (items, options) => client.putMany(items, options),
          getMany: (items, options) => client.getMany(items, options),
        }
      : {}),
  };
}
