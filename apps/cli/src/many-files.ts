// Moving many files on the one client: up to TRANSFERS_IN_FLIGHT at once (the protocol
// pipelines requests by id, docs/protocol.md §3, so small files need not pay a round trip
// each), one progress line for all of them, and with -c the files an earlier run finished
// left out.

import { CftpError } from '@cftp/client';
import type { Call, Session } from './context.js';
import { aboutPath, CommandError } from './errors.js';
import { runPool } from './pool.js';
import type { TransferResult } from './remote-fs.js';
import { displayRemote } from './remote-path.js';

/** Transfers in flight at once (the server allows 16 requests by default, §12). */
export const TRANSFERS_IN_FLIGHT = 8;

export function transferLimit(session: Session): number {
  return Math.max(1, Math.min(TRANSFERS_IN_FLIGHT, session.fs.maxInFlight - 2));
}

export interface FileJob {
  remote: string;
  local: string;
  /** Size of the source, for the progress total. */
  size: number;
  /** Modification time of the source (ms), for the -c check. */
  mtime: number;
}

export interface ManyTotals {
  files: number;
  bytes: number;
  ms: number;
}

/** Size and mtime as both sides report them. */
export interface FileState {
  size: number;
  mtime: number;
}

/** A file whose size and mtime already match its source was finished by an earlier run. */
export function sameFile(a: FileState, b: FileState): boolean {
  return a.size === b.size && Math.trunc(a.mtime) === Math.trunc(b.mtime);
}

/** The jobs whose target is not already complete; `target` reads the target's state. */
export async function withoutComplete(
  jobs: readonly FileJob[],
  target: (job: FileJob) => Promise<FileState | undefined>,
): Promise<FileJob[]> {
  const done = await Promise.all(
    jobs.map(async (job) => {
      const state = await target(job);
      return state !== undefined && sameFile(state, job);
    }),
  );
  return jobs.filter((_, i) => !done[i]);
}

/** Files up to this size travel in batches (§6.7) when the server offers them. */
export const BATCH_FILE_BYTES = 1024 * 1024;
/** Files per batch: enough to spread the per-request cost, few enough to keep several in flight. */
export const BATCH_MAX_FILES = 32;
const BATCH_MAX_BYTES = 8 * 1024 * 1024;
/** What a `putmany` request spends per file besides its path: `{"path":"","size":…,"mtime":…},`. */
const FRAME_BYTES_PER_FILE = 64;
const FRAME_OVERHEAD = 256;

/** One request's worth of work: a file on its own, or a batch of small files (job indexes). */
export type Unit = { batch: false; index: number } | { batch: true; indexes: number[] };

/**
 * Groups the jobs into requests: small files into batches that fit the server's frame size
 * (their request names every path), larger files (which -c can resume) on their own.
 */
export function planUnits(
  jobs: readonly Pick<FileJob, 'remote' | 'size'>[],
  options: { batches: boolean; maxFrameSize: number },
): Unit[] {
  const units: Unit[] = [];
  let open: { indexes: number[]; bytes: number; frame: number } | undefined;
  const close = () => {
    if (open === undefined) return;
    units.push(
      open.indexes.length === 1
        ? { batch: false, index: open.indexes[0]! }
        : { batch: true, indexes: open.indexes },
    );
    open = undefined;
  };
  const frameLimit = Math.max(0, options.maxFrameSize - FRAME_OVERHEAD);
  jobs.forEach((job, index) => {
    // Twice the path: JSON escapes quotes and backslashes, which names may hold.
    const frame = 2 * Buffer.byteLength(job.remote) + FRAME_BYTES_PER_FILE;
    if (!options.batches || job.size > BATCH_FILE_BYTES || frame > frameLimit) {
      units.push({ batch: false, index });
      return;
    }
    if (
      open !== undefined &&
      (open.indexes.length >= BATCH_MAX_FILES ||
        open.bytes + job.size > BATCH_MAX_BYTES ||
        open.frame + frame > frameLimit)
    ) {
      close();
    }
    open ??= { indexes: [], bytes: 0, frame: 0 };
    open.indexes.push(index);
    open.bytes += job.size;
    open.frame += frame;
  });
  close();
  return units;
}

/** A batch's error names one of its paths (the server's usually does already). */
function aboutBatch(error: unknown, jobs: readonly FileJob[]): unknown {
  if (!(error instanceof CftpError) || error.code === 'ECONNECTION') return error;
  const shown = jobs.map((job) => displayRemote(job.remote));
  const named = shown.some(
    (path) => error.message.includes(path) || error.message.includes(`"${path.slice(1)}"`),
  );
  if (named) return error;
  const first = `batch of ${jobs.length} files from "${shown[0]}"`;
  return new CommandError(error.code, `${first}: ${error.message}`);
}

/**
 * Runs the jobs one way, `transferLimit` requests at a time (small files in batches when
 * the server offers them); the first failure stops the rest.
 */
export async function transferMany(
  call: Call,
  verb: 'get' | 'put',
  label: string,
  jobs: readonly FileJob[],
): Promise<ManyTotals> {
  const { session, signal, flags } = call;
  const started = performance.now();
  const total = jobs.reduce((sum, job) => sum + job.size, 0);
  const seen = new Array<number>(jobs.length).fill(0);
  let moved = 0;
  let filesDone = 0;
  let bytes = 0;
  const task = session.progress.begin(verb, label);
  const account = (index: number, now: number) => {
    moved += now - seen[index]!;
    seen[index] = now;
    task.update({ bytes: moved, total, note: `${filesDone}/${jobs.length} files` });
  };
  const many = verb === 'get' ? session.fs.getMany : session.fs.putMany;
  const units = planUnits(jobs, {
    batches: many !== undefined,
    maxFrameSize: session.fs.maxFrameSize,
  });
  const runBatch = async (indexes: number[]) => {
    const batch = indexes.map((i) => jobs[i]!);
    const items = batch.map((job) => ({ local: job.local, remote: job.remote }));
    let result: { bytes: number };
    try {
      result =
        verb === 'get'
          ? await session.fs.getMany!(items, { signal })
          : await session.fs.putMany!(items, { signal });
    } catch (error) {
      throw aboutBatch(error, batch);
    }
    filesDone += batch.length;
    bytes += result.bytes;
    for (const i of indexes) account(i, jobs[i]!.size);
  };
  try {
    await runPool(units, transferLimit(session), async (unit) => {
      if (unit.batch) return runBatch(unit.indexes);
      const index = unit.index;
      const job = jobs[index]!;
      const options = {
        signal,
        resume: flags.continue === true,
        onProgress: (p: { bytes: number }) => account(index, p.bytes),
      };
      let result: TransferResult;
      try {
        result =
          verb === 'get'
            ? await session.fs.get(job.remote, job.local, options)
            : await session.fs.put(job.local, job.remote, options);
      } catch (error) {
        throw aboutPath(error, displayRemote(job.remote));
      }
      filesDone++;
      bytes += result.bytes;
      account(index, result.resumedFrom + result.bytes); // progress counts a resumed prefix
    });
  } finally {
    task.end();
  }
  return { files: jobs.length, bytes, ms: performance.now() - started };
}
