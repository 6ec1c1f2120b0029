// The FTP peers' client for in-process figures: basic-ftp, the Node FTP client library.
// Modes mirror the CFTP scenarios: get/put one file, many small files over `concurrency`
// connections, LIST timings, connect + login timings.
import { join } from 'node:path';
import { Client } from 'basic-ftp';
import { smallFileName } from '../layout.js';
import { describeError, report, workerArgs } from './io.js';

export interface FtpClientArgs {
  host: string;
  port: number;
  mode: 'get' | 'put' | 'many-get' | 'many-put' | 'list' | 'connect';
  /** get/put: local file and remote path. */
  local?: string;
  remote?: string;
  /** many-*: file count, local and remote folders, connections. */
  count?: number;
  localDir?: string;
  remoteDir?: string;
  concurrency?: number;
  /** list: folder; list/connect: timed runs after untimed warm-up runs. */
  path?: string;
  runs?: number;
  warmup?: number;
}

export interface FtpClientResult {
  ms?: number;
  files?: number;
  errors?: number;
  firstError?: string;
  samplesMs?: number[];
  entries?: number;
}

const args = workerArgs<FtpClientArgs>();

async function open(): Promise<Client> {
  const client = new Client(60_000);
  await client.access({ host: args.host, port: args.port, user: 'anonymous', password: 'bench@' });
  return client;
}

async function single(): Promise<FtpClientResult> {
  const client = await open();
  const started = performance.now();
  const response =
    args.mode === 'get'
      ? await client.downloadTo(args.local!, args.remote!)
      : await client.uploadFrom(args.local!, args.remote!);
  const ms = performance.now() - started;
  client.close();
  return { ms, errors: response.code >= 400 ? 1 : 0 };
}

async function many(): Promise<FtpClientResult> {
  const count = args.count ?? 0;
  const clients = await Promise.all(Array.from({ length: args.concurrency ?? 1 }, open));
  const errors: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (next < count) {
        const name = smallFileName(next++);
        const local = join(args.localDir!, name);
        const remote = `${args.remoteDir}/${name}`;
        try {
          if (args.mode === 'many-get') await client.downloadTo(local, remote);
          else await client.uploadFrom(local, remote);
        } catch (error) {
          errors.push(describeError(error));
        }
      }
    }),
  );
  const ms = performance.now() - started;
  for (const client of clients) client.close();
  return { ms, files: count - errors.length, errors: errors.length, firstError: errors[0] };
}

async function timed(): Promise<FtpClientResult> {
  const samplesMs: number[] = [];
  let entries: number | undefined;
  const runs = (args.warmup ?? 0) + (args.runs ?? 1);
  if (args.mode === 'connect') {
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const client = await open();
      const ms = performance.now() - started;
      client.close();
      if (i >= (args.warmup ?? 0)) samplesMs.push(ms);
    }
  } else {
    const client = await open();
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const listing = await client.list(args.path);
      const ms = performance.now() - started;
      entries = listing.length;
      if (i >= (args.warmup ?? 0)) samplesMs.push(ms);
    }
    client.close();
  }
  return { samplesMs, entries };
}

const run =
  args.mode === 'get' || args.mode === 'put'
    ? single
    : args.mode === 'list' || args.mode === 'connect'
      ? timed
      : many;
report(await run());
