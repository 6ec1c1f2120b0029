// The transfer queue behind the screen: items wait, run a few at a time on the engine's one
// client (get/put for files, getTree/putTree for folders), report progress, and end done,
// failed (with the engine's error code) or cancelled. No React here: the UI subscribes to
// 'change' and shows snapshots. Items that failed because the connection went away are
// queued again (resuming) when a new client is there.
import { EventEmitter } from 'node:events';
import type { CftpClient, Progress, TreeProgress } from '@cftp/client';
import { type ErrorInfo, errorInfo } from './errors.js';
import type { Side } from './paths.js';

export type TransferDirection = 'get' | 'put';
export type TransferKind = 'file' | 'tree';
export type TransferState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface TransferRequest {
  direction: TransferDirection;
  kind: TransferKind;
  /** Remote path for a get, local path for a put. */
  source: string;
  /** Local path for a get, remote path for a put. */
  target: string;
  /** What the queue shows (`a.bin`, `photos/`). */
  name: string;
  /** Expected bytes, when the listing told (files). */
  size?: number | undefined;
  /** The folder the result lands in, so that pane can be refreshed. */
  destination: { side: Side; folder: string };
}

export interface TransferItem extends TransferRequest {
  readonly id: number;
  state: TransferState;
  /** Bytes moved so far (for a tree: of all its files, as they move). */
  bytes: number;
  total: number | undefined;
  /** Bytes per second, averaged since the item started. */
  rate: number;
  /** Files finished and in all (trees only). */
  files: number;
  totalFiles: number | undefined;
  error: ErrorInfo | undefined;
  /** Failed because the connection went away: queued again after a reconnect. */
  interrupted: boolean;
  /** Runs so far; a run after the first resumes (get/put `resume`). */
  attempts: number;
}

export interface TransfersOptions {
  /** The client to run on; undefined or closed while disconnected (items then wait). */
  client: () => CftpClient | undefined;
  /** Items running at once (default 2). */
  concurrency?: number;
  /** Files in flight at once inside one folder transfer (default 4). */
  treeConcurrency?: number;
}

export interface TransfersEvents {
  /** Any item changed (added, progressed, finished, removed). */
  change: [];
  /** An item reached done, failed or cancelled. */
  finished: [item: TransferItem];
}

const FINISHED: readonly TransferState[] = ['done', 'failed', 'cancelled'];

/** Codes that say the session ended under the transfer, not that the transfer was wrong. */
const CONNECTION_CODES: ReadonlySet<string> = new Set(['ECONNECTION', 'ESHUTDOWN']);

export function isFinished(state: TransferState): boolean {
  return FINISHED.includes(state);
}

export class Transfers extends EventEmitter<TransfersEvents> {
  private readonly list: TransferItem[] = [];
  private readonly running = new Map<number, AbortController>();
  private readonly settled = new Map<number, Promise<void>>();
  private nextId = 1;
  private concurrencyLimit: number;
  private readonly treeConcurrency: number;
  private readonly client: () => CftpClient | undefined;

  constructor(options: TransfersOptions) {
    super();
    this.client = options.client;
    this.concurrencyLimit = Math.max(1, options.concurrency ?? 2);
    this.treeConcurrency = Math.max(1, options.treeConcurrency ?? 4);
  }

  get concurrency(): number {
    return this.concurrencyLimit;
  }

  set concurrency(value: number) {
    this.concurrencyLimit = Math.max(1, Math.trunc(value));
    this.pump();
  }

  /** Copies of the items, oldest first (safe to keep: later changes make new copies). */
  snapshot(): TransferItem[] {
    return this.list.map((item) => ({ ...item, destination: { ...item.destination } }));
  }

  get(id: number): TransferItem | undefined {
    const item = this.list.find((candidate) => candidate.id === id);
    return item === undefined ? undefined : { ...item };
  }

  /** Items waiting or running. */
  get active(): number {
    return this.list.filter((item) => item.state === 'queued' || item.state === 'running').length;
  }

  /** Sum of the rates of the running items, bytes per second. */
  get throughput(): number {
    return this.list.reduce((sum, item) => sum + (item.state === 'running' ? item.rate : 0), 0);
  }

  add(request: TransferRequest): TransferItem {
    const item: TransferItem = {
      ...request,
      destination: { ...request.destination },
      id: this.nextId++,
      state: 'queued',
      bytes: 0,
      total: request.size,
      rate: 0,
      files: 0,
      totalFiles: undefined,
      error: undefined,
      interrupted: false,
      attempts: 0,
    };
    this.list.push(item);
    this.changed();
    this.pump();
    return { ...item };
  }

  /** Cancels a queued or running item (a running one is aborted through its AbortSignal). */
  cancel(id: number): boolean {
    const item = this.find(id);
    if (item === undefined) return false;
    if (item.state === 'queued') {
      item.state = 'cancelled';
      this.changed();
      this.emit('finished', { ...item });
      return true;
    }
    if (item.state === 'running') {
      this.running.get(id)?.abort();
      return true;
    }
    return false;
  }

  /** Queues a failed or cancelled item again; it resumes what is already there. */
  retry(id: number): boolean {
    const item = this.find(id);
    if (item === undefined || (item.state !== 'failed' && item.state !== 'cancelled')) return false;
    item.state = 'queued';
    item.error = undefined;
    item.interrupted = false;
    this.changed();
    this.pump();
    return true;
  }

  /** Removes a finished item from the list. */
  remove(id: number): boolean {
    const index = this.list.findIndex((item) => item.id === id);
    if (index < 0 || !isFinished(this.list[index]!.state)) return false;
    this.list.splice(index, 1);
    this.changed();
    return true;
  }

  /** Removes the items that are done or cancelled; failed ones stay until retried or removed. */
  clearFinished(): number {
    const before = this.list.length;
    for (let i = this.list.length - 1; i >= 0; i--) {
      const state = this.list[i]!.state;
      if (state === 'done' || state === 'cancelled') this.list.splice(i, 1);
    }
    const removed = before - this.list.length;
    if (removed > 0) this.changed();
    return removed;
  }

  /** Cancels everything queued or running and waits until the running items have stopped. */
  async cancelAll(): Promise<void> {
    for (const item of this.list) {
      if (item.state === 'queued' || item.state === 'running') this.cancel(item.id);
    }
    await Promise.all(this.settled.values());
  }

  /** Queues again the items that failed because the connection was lost (after a reconnect). */
  requeueInterrupted(): number {
    let count = 0;
    for (const item of this.list) {
      if (item.state === 'failed' && item.interrupted) {
        item.state = 'queued';
        item.error = undefined;
        item.interrupted = false;
        count += 1;
      }
    }
    if (count > 0) this.changed();
    this.pump();
    return count;
  }

  /** Waits until nothing is queued or running (or the client is gone and items wait). */
  async idle(): Promise<void> {
    while (this.settled.size > 0) await Promise.all(this.settled.values());
  }

  /** Starts queued items while there is room and a client. */
  pump(): void {
    const client = this.client();
    if (client === undefined || client.isClosed) return;
    while (this.running.size < this.concurrencyLimit) {
      const next = this.list.find((item) => item.state === 'queued');
      if (next === undefined) return;
      const abort = new AbortController();
      this.running.set(next.id, abort);
      next.state = 'running';
      const done = this.run(next, client, abort).finally(() => {
        this.running.delete(next.id);
        this.settled.delete(next.id);
        this.emit('finished', { ...next });
        this.changed();
        this.pump();
      });
      this.settled.set(next.id, done);
    }
  }

  private find(id: number): TransferItem | undefined {
    return this.list.find((item) => item.id === id);
  }

  private changed(): void {
    this.emit('change');
  }

  private async run(item: TransferItem, client: CftpClient, abort: AbortController) {
    const started = performance.now();
    const seconds = () => Math.max((performance.now() - started) / 1000, 1e-3);
    item.attempts += 1;
    item.error = undefined;
    item.interrupted = false;
    item.bytes = 0;
    item.rate = 0;
    item.files = 0;
    const resume = item.attempts > 1;
    const signal = abort.signal;
    this.changed();
    try {
      if (item.kind === 'file') {
        const onProgress = (progress: Progress) => {
          item.bytes = progress.bytes;
          item.total = progress.total ?? item.total;
          item.rate = progress.rate;
          this.changed();
        };
        const options = { signal, onProgress, resume };
        const result =
          item.direction === 'get'
            ? await client.get(item.source, item.target, options)
            : await client.put(item.source, item.target, options);
        item.bytes = result.resumedFrom + result.bytes;
        item.total = item.bytes;
        item.rate = result.bytes / Math.max(result.durationMs / 1000, 1e-3);
      } else {
        const onProgress = (progress: TreeProgress) => {
          item.files = progress.files;
          item.totalFiles = progress.totalFiles;
          item.bytes = progress.bytes;
          if (progress.totalBytes > 0) item.total = progress.totalBytes;
          item.rate = progress.bytes / seconds();
          this.changed();
        };
        // Skip and go on (as `cftp get -r`): what cannot be read is left out, the rest copied.
        const concurrency = this.treeConcurrency;
        const options = { signal, onProgress, resume, concurrency, keepGoing: true };
        const result =
          item.direction === 'get'
            ? await client.getTree(item.source, item.target, options)
            : await client.putTree(item.source, item.target, options);
        item.files = result.files;
        item.totalFiles = result.files;
        item.bytes = result.bytes;
        item.rate = result.bytes / Math.max(result.durationMs / 1000, 1e-3);
        if (result.failed.length > 0) {
          const names = result.failed.slice(0, 3).map((entry) => entry.name);
          if (result.failed.length > 3) names.push(`and ${result.failed.length - 3} more`);
          const message = `${result.files} copied, ${result.failed.length} failed: ${names.join(', ')}`;
          item.state = 'failed';
          item.error = { code: 'EPARTIAL', message };
          item.rate = 0;
          return;
        }
      }
      item.state = 'done';
    } catch (error) {
      if (signal.aborted) {
        item.state = 'cancelled';
      } else {
        item.state = 'failed';
        item.error = errorInfo(error);
        item.interrupted = client.isClosed || CONNECTION_CODES.has(item.error.code);
      }
      item.rate = 0;
    }
  }
}
