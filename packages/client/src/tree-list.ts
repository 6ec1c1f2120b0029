// A whole remote subtree's entries (docs/protocol.md §6.10): one `tree` request when the
// server lists the feature, else a walk with `list` (§6.1), folder by folder. Either way the
// caller gets entries named by their path below the folder asked for, checked as the client
// checks a listing (§5.4): lines within the line limit, entries within the entry limit, and
// every path a canonical relative path that cannot leave the folder. Entries stream with
// backpressure: the data channel is read only as fast as the caller iterates.
import { pipeline } from 'node:stream/promises';
import {
  AbortError,
  CftpError,
  checkTreePath,
  IntegrityError,
  MAX_PATH_BYTES,
  MAX_TREE_DEPTH,
  MODE_MASK,
  ProtocolError,
  TREE_FEATURE,
  type TreeEntry,
  treeEntrySchema,
} from '@cftp/protocol';
import { dataFailure, verify, watchFinalReply } from './data-channel.js';
import { joinRemote } from './files.js';
import { LineSplitter } from './line-splitter.js';
import { list } from './list.js';
import { Meter, meterStream } from './meter.js';
import type { OperationOptions, Session } from './types.js';

export type { TreeEntry };

export interface TreeListOptions extends OperationOptions {
  /** Ask for each file's digest in the session's algorithm (§6.10); needs the `tree` feature. */
  digest?: boolean;
  /** Told of each entry left out (a name the client refuses, in the `list` walk). */
  onWarning?: (warning: CftpError) => void;
}

/** The entries of a subtree; `skipped` and `complete` are known once iteration has ended. */
export interface TreeListing extends AsyncIterable<TreeEntry> {
  /** Entries the server left out (names it cannot carry, past its bounds, unreadable). */
  readonly skipped: number;
  /** True when nothing was left out: a sync may delete on the strength of this tree. */
  readonly complete: boolean;
  /** True when the server sent digests (the `tree` feature and `digest: true`). */
  readonly digests: boolean;
}

/** Lists the subtree below `path` (§6.10), by `tree` or, on an older server, by `list`. */
export function treeListing(session: Session, path: string, options: TreeListOptions): TreeListing {
  const state = { skipped: 0, ended: false };
  const native = session.server?.features.includes(TREE_FEATURE) === true;
  return {
    get skipped() {
      return state.skipped;
    },
    get complete() {
      return state.ended && state.skipped === 0;
    },
    digests: native && options.digest === true,
    [Symbol.asyncIterator]: () =>
      (native
        ? streamTree(session, path, options, state)
        : walkByList(session, path, options, state))[Symbol.asyncIterator](),
  };
}

/** One batch at a time from the request to the iterator: the request waits while it is full. */
class Handoff<T> {
  private item: T | undefined;
  private finished: { error?: unknown } | undefined;
  private wakeTaker: (() => void) | undefined;
  private wakeGiver: (() => void) | undefined;

  async give(item: T, signal: AbortSignal): Promise<void> {
    while (this.item !== undefined) {
      signal.throwIfAborted();
      await new Promise<void>((resolve) => {
        // One listener at a time, removed when woken: a long tree waits here many times.
        const onAbort = () => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
        this.wakeGiver = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      });
    }
    signal.throwIfAborted();
    this.item = item;
    this.wakeTaker?.();
  }

  finish(error?: unknown): void {
    this.finished = error === undefined ? {} : { error };
    this.wakeTaker?.();
  }

  /** The next batch, or undefined at the end; throws the request's error. */
  async take(): Promise<T | undefined> {
    for (;;) {
      if (this.item !== undefined) {
        const item = this.item;
        this.item = undefined;
        this.wakeGiver?.();
        return item;
      }
      if (this.finished !== undefined) {
        if ('error' in this.finished) throw this.finished.error;
        return undefined;
      }
      await new Promise<void>((resolve) => {
        this.wakeTaker = resolve;
      });
    }
  }
}

/** One `tree` line, checked: schema, and a path that stays below the folder (§6.10). */
export function parseTreeLine(line: string): TreeEntry {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ProtocolError('EPROTO', 'tree line is not JSON');
  }
  return plainTreeEntry(value) ?? checkedTreeEntry(value);
}

const ENTRY_TYPES: ReadonlySet<unknown> = new Set(['file', 'dir', 'symlink', 'other']);
/** Segments of letters, digits and `_ - . + @ = , ~ %`: ASCII, so NFC, nothing §9 refuses. */
const PLAIN_TREE_PATH = /^[\w\-.+@=,~%]{1,255}(?:\/[\w\-.+@=,~%]{1,255}){0,63}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const isUint = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * The common line, checked with plain comparisons: an object with the schema's fields and
 * types and a plain path (at most MAX_TREE_DEPTH segments, none `.` or `..`). It accepts
 * only lines that treeEntrySchema and checkTreePath accept, and gives the same entry; any
 * other line (undefined here) takes their way, with their error. A sync parses 10 000 lines
 * in a process that lives a second: the generic schema walk was a tenth of its CPU.
 */
function plainTreeEntry(value: unknown): TreeEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { path, type, size, mtime, mode, digest, target } = value as Record<string, unknown>;
  if (
    typeof path !== 'string' ||
    path.length > MAX_PATH_BYTES ||
    !PLAIN_TREE_PATH.test(path) ||
    !ENTRY_TYPES.has(type) ||
    !isUint(size) ||
    !isUint(mtime)
  ) {
    return undefined;
  }
  const entry: TreeEntry = { path, type: type as TreeEntry['type'], size, mtime };
  if (mode !== undefined) {
    if (!isUint(mode) || mode > MODE_MASK) return undefined;
    entry.mode = mode;
  }
  if (digest !== undefined) {
    if (typeof digest !== 'string' || !HEX64.test(digest)) return undefined;
    entry.digest = digest;
  }
  if (target !== undefined) {
    if (typeof target !== 'string') return undefined;
    entry.target = target;
  }
  // `.` or `..` as a whole segment (not canonical, or leaving the folder): the full check.
  if (path === '.' || path === '..' || path.startsWith('./') || path.startsWith('../')) {
    return undefined;
  }
  if (
    path.includes('/./') ||
    path.includes('/../') ||
    path.endsWith('/.') ||
    path.endsWith('/..')
  ) {
    return undefined;
  }
  return entry;
}

/** A line the plain check did not take: the schema and §6.10's path rules, with their errors. */
function checkedTreeEntry(value: unknown): TreeEntry {
  const parsed = treeEntrySchema.parse(value);
  if (!parsed.ok) throw new ProtocolError('EPROTO', `bad tree entry (${parsed.error})`);
  checkTreePath(parsed.value.path);
  return parsed.value;
}

async function* streamTree(
  session: Session,
  path: string,
  options: TreeListOptions,
  state: { skipped: number; ended: boolean },
): AsyncGenerator<TreeEntry> {
  const { maxListEntries, maxListLineBytes } = session.limits;
  const stop = new AbortController();
  const signal =
    options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
  const handoff = new Handoff<TreeEntry[]>();
  const request = session.operation(
    signal,
    (id) => ({ type: 'tree', id, path, ...(options.digest === true ? { digest: true } : {}) }),
    async (exchange) => {
      const ready = await exchange.expect('ready');
      const socket = await exchange.openData(ready);
      const meter = new Meter(undefined, undefined, session.digest);
      const lines = new LineSplitter(maxListLineBytes, 'tree');
      let count = 0;
      const final = exchange.expect('done');
      const data = watchFinalReply(final, exchange.aborted);
      try {
        await pipeline(
          socket,
          meterStream(meter, session.received),
          async (source: AsyncIterable<Buffer>) => {
            for await (const chunk of source) {
              const batch = lines.push(chunk).map(parseTreeLine);
              count += batch.length;
              if (count > maxListEntries) {
                throw new ProtocolError('EPROTO', `tree has more than ${maxListEntries} entries`);
              }
              if (batch.length > 0) await handoff.give(batch, data.signal);
            }
          },
          { signal: data.signal },
        );
      } catch (error) {
        throw await data.failure(dataFailure(error));
      } finally {
        socket.destroy();
      }
      lines.end();
      const done = await final;
      verify(done, meter.bytes, meter.digest(), 'tree');
      if (done.count !== undefined && done.count !== count) {
        throw new IntegrityError(`tree has ${count} entries, server sent ${done.count}`);
      }
      state.skipped = done.skipped ?? 0;
    },
  );
  request.then(
    () => handoff.finish(),
    (error: unknown) => handoff.finish(error),
  );
  let finished = false;
  try {
    for (let batch = await handoff.take(); batch !== undefined; batch = await handoff.take()) {
      yield* batch;
    }
    finished = true;
    state.ended = true;
  } finally {
    if (!finished) {
      // The caller stopped early (break, or its own error): the request is abandoned.
      stop.abort(new AbortError('tree listing no longer wanted'));
      await request.catch(() => {});
    }
  }
}

/** The `list` walk for a server without `tree`: folder by folder, links never entered. */
async function* walkByList(
  session: Session,
  path: string,
  options: TreeListOptions,
  state: { skipped: number; ended: boolean },
): AsyncGenerator<TreeEntry> {
  const { maxListEntries } = session.limits;
  let count = 0;
  const listOptions = {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onWarning: (warning: CftpError) => {
      state.skipped++;
      options.onWarning?.(warning);
    },
  };
  const pending: string[] = [''];
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
    const depth = folder === '' ? 0 : folder.split('/').length;
    let entries: Awaited<ReturnType<typeof list>>;
    try {
      entries = await list(session, joinRemote(path, folder), listOptions);
    } catch (error) {
      // The top must be there; a folder below that went away meanwhile leaves the tree incomplete.
      if (folder === '' || !(error instanceof CftpError) || error.code === 'ECONNECTION') {
        throw error;
      }
      state.skipped++;
      continue;
    }
    for (const entry of entries) {
      const below = joinRemote(folder, entry.name);
      if (++count > maxListEntries) {
        throw new ProtocolError('EPROTO', `tree has more than ${maxListEntries} entries`);
      }
      const { name: _name, ...rest } = entry;
      yield { path: below, ...rest };
      if (entry.type !== 'dir') continue;
      if (depth + 1 >= MAX_TREE_DEPTH) state.skipped++;
      else pending.push(below);
    }
  }
  state.ended = true;
}
