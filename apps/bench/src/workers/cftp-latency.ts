// Latency of small CFTP operations, timed one by one in-process: connect + handshake
// (each on a new connection), and listing a folder (on one session).
import { connect } from '@cftp/client';
import { type CftpTarget, connectOptions, report, workerArgs } from './io.js';

export interface LatencyArgs extends CftpTarget {
  mode: 'connect' | 'list';
  /** Folder to list, for `list`. */
  path?: string;
  runs: number;
  /** Untimed runs first (JIT, caches). */
  warmup: number;
}

export interface LatencyResult {
  samplesMs: number[];
  entries?: number;
}

const args = workerArgs<LatencyArgs>();
const samplesMs: number[] = [];
let entries: number | undefined;
if (args.mode === 'connect') {
  for (let i = 0; i < args.warmup + args.runs; i++) {
    const started = performance.now();
    const client = await connect(connectOptions(args));
    const ms = performance.now() - started;
    await client.quit();
    if (i >= args.warmup) samplesMs.push(ms);
  }
} else {
  const client = await connect(connectOptions(args));
  for (let i = 0; i < args.warmup + args.runs; i++) {
    const started = performance.now();
    const listing = await client.list(args.path ?? '');
    const ms = performance.now() - started;
    entries = listing.length;
    if (i >= args.warmup) samplesMs.push(ms);
  }
  await client.quit();
}
report({ samplesMs, entries } satisfies LatencyResult);
