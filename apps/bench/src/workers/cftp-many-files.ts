// Moves many small files with the CFTP client's fastest path for that, and reports files/s.
// Strategies are pluggable: `engine-batch` (putMany/getMany, up to 256 files per request
// over one data channel, docs/protocol.md §6.7), `engine-concurrent` (one get/put request
// per file, `concurrency` in flight, pipelined by request id), and `auto`: batches when the
// server offers them.
import { join } from 'node:path';
import { type CftpClient, connect } from '@cftp/client';
import { smallFileName } from '../layout.js';
import { type CftpTarget, connectOptions, describeError, report, workerArgs } from './io.js';

export interface ManyFilesArgs extends CftpTarget {
  mode: 'put' | 'get';
  count: number;
  /** Local folder holding (put) or receiving (get) the files. */
  localDir: string;
  /** Remote folder, relative to the server root. */
  remoteDir: string;
  concurrency: number;
  strategy: string;
}

export interface ManyFilesResult {
  /** The strategy that ran (`auto` resolves to one of the others). */
  strategy: string;
  files: number;
  bytes: number;
  /** From the first request to the last reply, after connecting. */
  ms: number;
  connectMs: number;
  errors: number;
  firstError?: string;
}

interface Transfer {
  local: string;
  remote: string;
}

type Strategy = (
  client: CftpClient,
  transfers: Transfer[],
  args: ManyFilesArgs,
) => Promise<{ bytes: number; errors: string[] }>;

/** Most files one putmany/getmany request may carry (docs/protocol.md §6.7). */
const BATCH_FILES = 256;

/** Splits `items` into `parts` runs of nearly equal length, in order. */
function split<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  const runs: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    runs.push(items.slice(start, start + size));
  return runs;
}

function offersBatches(client: CftpClient): boolean {
  return client.server?.features.includes('batch') === true;
}

const strategies: Record<string, Strategy> = {
  /** Batches of at most 256 files, as few as that allows, up to `concurrency` in flight. */
  'engine-batch': async (client, transfers, args) => {
    if (!offersBatches(client)) throw new Error('the server does not offer batches');
    const batches = split(transfers, Math.ceil(transfers.length / BATCH_FILES));
    let next = 0;
    let bytes = 0;
    const errors: string[] = [];
    const lane = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        try {
          const result =
            args.mode === 'put' ? await client.putMany(batch) : await client.getMany(batch);
          bytes += result.bytes;
        } catch (error) {
          // A batch succeeds or fails whole (§6.7): count each of its files.
          for (let i = 0; i < batch.length; i++) errors.push(describeError(error));
        }
      }
    };
    await Promise.all(Array.from({ length: args.concurrency }, lane));
    return { bytes, errors };
  },

  /** `concurrency` lanes, each taking the next file as soon as its previous one is done. */
  'engine-concurrent': async (client, transfers, args) => {
    let next = 0;
    let bytes = 0;
    const errors: string[] = [];
    const lane = async () => {
      while (next < transfers.length) {
        const { local, remote } = transfers[next++]!;
        try {
          const result =
            args.mode === 'put' ? await client.put(local, remote) : await client.get(remote, local);
          bytes += result.bytes;
        } catch (error) {
          errors.push(describeError(error));
        }
      }
    };
    await Promise.all(Array.from({ length: args.concurrency }, lane));
    return { bytes, errors };
  },
};

const args = workerArgs<ManyFilesArgs>();
const transfers = Array.from({ length: args.count }, (_, i) => ({
  local: join(args.localDir, smallFileName(i)),
  remote: `${args.remoteDir}/${smallFileName(i)}`,
}));
const connectStarted = performance.now();
const client = await connect(connectOptions(args));
const name =
  args.strategy === 'auto'
    ? offersBatches(client)
      ? 'engine-batch'
      : 'engine-concurrent'
    : args.strategy;
const strategy = strategies[name];
if (strategy === undefined) throw new Error(`unknown strategy ${args.strategy}`);
const started = performance.now();
const { bytes, errors } = await strategy(client, transfers, args);
const ms = performance.now() - started;
await client.quit();
report({
  strategy: name,
  files: args.count - errors.length,
  bytes,
  ms,
  connectMs: started - connectStarted,
  errors: errors.length,
  firstError: errors[0],
} satisfies ManyFilesResult);
