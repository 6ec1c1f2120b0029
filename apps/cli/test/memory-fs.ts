// An in-memory stand-in for the engine (RemoteFs) for unit tests of the session, the commands
// that move no data, and completion. Errors carry the engine's codes.
import { AbortError, CftpError, type Entry, type GetOptions } from '@cftp/client';
import type { FilesResult, RemoteFs, TransferResult, TreeResult } from '../src/remote-fs.js';

const MTIME = Date.UTC(2025, 10, 25, 12, 0, 0);

export class MemoryFs implements RemoteFs {
  readonly entries = new Map<string, Entry>([
    ['', { name: '.', type: 'dir', size: 0, mtime: MTIME }],
  ]);
  /** Every list request, by path. */
  readonly listed: string[] = [];

  /** `{'docs': 'dir', 'docs/a.txt': 12}`: folders and files (sizes). */
  constructor(tree: Record<string, 'dir' | number> = {}) {
    for (const [path, kind] of Object.entries(tree)) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      this.entries.set(
        path,
        kind === 'dir'
          ? { name, type: 'dir', size: 0, mtime: MTIME }
          : { name, type: 'file', size: kind, mtime: MTIME },
      );
    }
  }

  private parent(path: string): string {
    const slash = path.lastIndexOf('/');
    return slash < 0 ? '' : path.slice(0, slash);
  }

  private need(path: string): Entry {
    const entry = this.entries.get(path);
    if (entry === undefined) throw new CftpError('ENOENT', `no such file or directory: "${path}"`);
    return entry;
  }

  private children(path: string): string[] {
    return [...this.entries.keys()].filter(
      (p) => p !== '' && p !== path && this.parent(p) === path,
    );
  }

  async list(path: string): Promise<Entry[]> {
    this.listed.push(path);
    if (this.need(path).type !== 'dir') throw new CftpError('ENOTDIR', `not a folder: "${path}"`);
    return this.children(path).map((p) => this.entries.get(p)!);
  }

  async stat(path: string): Promise<Entry> {
    return this.need(path);
  }

  async mkdir(path: string): Promise<void> {
    if (this.entries.has(path)) throw new CftpError('EEXIST', `exists: "${path}"`);
    this.need(this.parent(path));
    this.entries.set(path, {
      name: path.slice(path.lastIndexOf('/') + 1),
      type: 'dir',
      size: 0,
      mtime: MTIME,
    });
  }

  async rmdir(path: string): Promise<void> {
    if (this.need(path).type !== 'dir') throw new CftpError('ENOTDIR', `not a folder: "${path}"`);
    if (this.children(path).length > 0) {
      throw new CftpError('ENOTEMPTY', `folder not empty: "${path}"`);
    }
    this.entries.delete(path);
  }

  async delete(path: string): Promise<void> {
    if (this.need(path).type === 'dir') throw new CftpError('EISDIR', `is a folder: "${path}"`);
    this.entries.delete(path);
  }

  async rename(from: string, to: string): Promise<void> {
    const entry = this.need(from);
    if (this.entries.has(to)) throw new CftpError('EEXIST', `exists: "${to}"`);
    this.entries.delete(from);
    this.entries.set(to, { ...entry, name: to.slice(to.lastIndexOf('/') + 1) });
  }

  private onSlowGet: (() => void) | undefined;

  /** Resolves when a get of `slow` has started. */
  slowGetStarted(): Promise<void> {
    return new Promise((resolve) => {
      this.onSlowGet = resolve;
    });
  }

  /** Moves no data; a get of `slow` waits until it is aborted, as a long transfer would. */
  async get(remote: string, _local: string, options?: GetOptions): Promise<TransferResult> {
    const signal = options?.signal;
    if (remote === 'slow' && signal !== undefined) {
      this.onSlowGet?.();
      await new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(new AbortError()), { once: true }),
      );
    }
    return this.noData();
  }

  async put(): Promise<TransferResult> {
    return this.noData();
  }

  async getTree(): Promise<TreeResult> {
    return this.noData();
  }

  async putTree(): Promise<TreeResult> {
    return this.noData();
  }

  async getFiles(): Promise<FilesResult> {
    return this.noData();
  }

  async putFiles(): Promise<FilesResult> {
    return this.noData();
  }

  private noData(): never {
    throw new CftpError('EIO', 'MemoryFs moves no data');
  }
}
