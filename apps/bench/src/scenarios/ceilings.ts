// Ceilings, measured in the same run as CFTP: what Node and this machine can do at best.
// Socket memory → memory (1 MiB writes), file → socket → file with plain fs streams (and the
// same with an fsync at the end, as CFTP does), SHA-256 on one core (1 MiB chunks).
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { startServerProcess } from '../child.js';
import type { BenchContext } from '../context.js';
import { syncDisks } from '../fixtures.js';
import { workerScript } from '../layout.js';
import { formatSize, MiB, mibPerSecond, summarize } from '../stats.js';
import type { CeilingServerArgs } from '../workers/ceiling-server.js';

async function startCeilingServer(args: CeilingServerArgs) {
  const server = await startServerProcess(process.execPath, [
    workerScript('ceiling-server'),
    JSON.stringify(args),
  ]);
  const { port } = JSON.parse(server.firstLine) as { port: number };
  return { server, port };
}

function connectTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/** Writes `bytes` from one 1 MiB buffer with backpressure; resolves when the peer closed. */
async function socketMemToMem(port: number, bytes: number): Promise<number> {
  const chunk = randomBytes(MiB);
  const socket = await connectTo(port);
  const started = performance.now();
  const closed = new Promise<void>((resolve, reject) => {
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
  socket.resume(); // the sink ends its side after ours; read that FIN
  for (let sent = 0; sent < bytes; sent += chunk.byteLength) {
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  socket.end();
  await closed;
  return performance.now() - started;
}

async function fileSocketFile(port: number, dest: string, fsync: boolean): Promise<number> {
  const started = performance.now();
  const socket = await connectTo(port);
  await pipeline(socket, createWriteStream(dest, { flush: fsync }));
  const ms = performance.now() - started;
  await rm(dest);
  return ms;
}

export async function runCeilings(ctx: BenchContext): Promise<void> {
  const { config, fixtures } = ctx;
  const bytes = config.largeBytes;
  const size = formatSize(bytes);

  if (ctx.wants('ceiling-socket')) {
    ctx.log(`ceiling: socket memory → memory, ${size}`);
    const { server, port } = await startCeilingServer({ mode: 'sink' });
    try {
      const samples: number[] = [];
      for (let run = 0; run < config.largeRuns; run++) {
        samples.push(mibPerSecond(bytes, await socketMemToMem(port, bytes)));
      }
      ctx.rows.push({
        scenario: 'ceiling-socket',
        title: `Node socket memory→memory, ${size} in 1 MiB writes`,
        system: 'ceiling',
        unit: 'MiB/s',
        value: summarize(samples),
        details: {},
        notes: ['two processes'],
        targets: [],
      });
    } finally {
      await server.stop();
    }
  }

  for (const fsync of [false, true]) {
    const id = fsync ? 'ceiling-file-fsync' : 'ceiling-file';
    if (!ctx.wants(id)) continue;
    ctx.log(`ceiling: file → socket → file${fsync ? ' + fsync' : ''}, ${size}`);
    const { server, port } = await startCeilingServer({
      mode: 'file',
      path: join(fixtures.root, fixtures.largeName),
    });
    try {
      const samples: number[] = [];
      for (let run = 0; run < config.largeRuns; run++) {
        const dest = join(fixtures.localGetDir, 'ceiling.bin');
        samples.push(mibPerSecond(bytes, await fileSocketFile(port, dest, fsync)));
        syncDisks();
      }
      ctx.rows.push({
        scenario: id,
        title: `Node file→socket→file${fsync ? ' + fsync' : ''}, ${size}`,
        system: 'ceiling',
        unit: 'MiB/s',
        value: summarize(samples),
        details: {},
        notes: [
          fsync
            ? 'fs streams, fsync before close (like CFTP)'
            : 'fs streams, default buffers, no fsync',
        ],
        targets: [],
      });
    } finally {
      await server.stop();
    }
  }

  if (ctx.wants('ceiling-sha256')) {
    ctx.log(`ceiling: SHA-256, ${size}`);
    const chunk = randomBytes(MiB);
    const samples: number[] = [];
    for (let run = 0; run < config.largeRuns; run++) {
      const hash = createHash('sha256');
      const started = performance.now();
      for (let done = 0; done < bytes; done += chunk.byteLength) hash.update(chunk);
      hash.digest();
      samples.push(mibPerSecond(bytes, performance.now() - started));
    }
    ctx.rows.push({
      scenario: 'ceiling-sha256',
      title: `SHA-256 on one core, ${size} in 1 MiB chunks`,
      system: 'ceiling',
      unit: 'MiB/s',
      value: summarize(samples),
      details: {},
      notes: [],
      targets: [],
    });
  }
}
