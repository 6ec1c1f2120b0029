// Ceilings, measured in the same run as CFTP: what Node and this machine can do at best.
// Socket memory → memory (1 MiB writes), the same inside TLS with the receiver's CPU (the
// floor under CFTP's receive path), file → socket → file with plain fs streams (and the
// same with an fsync at the end, as CFTP does), SHA-256 on one core (1 MiB chunks).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { connect as connectTls } from 'node:tls';
import { startServerProcess } from '../child.js';
import { type BenchContext, median } from '../context.js';
import { syncDisks } from '../fixtures.js';
import { workerScript } from '../layout.js';
import { readCpu } from '../proc.js';
import { formatSize, GiB, MiB, mibPerSecond, summarize } from '../stats.js';
import type { CeilingServerArgs } from '../workers/ceiling-server.js';

async function startCeilingServer(args: CeilingServerArgs) {
  const server = await startServerProcess(process.execPath, [
    workerScript('ceiling-server'),
    JSON.stringify(args),
  ]);
  const { port } = JSON.parse(server.firstLine) as { port: number };
  return { server, port };
}

function connectTo(port: number, tls = false): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // The ceiling's own throwaway certificate: nothing to verify.
    const socket = tls
      ? connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false })
      : connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/** Writes `bytes` from one 1 MiB buffer with backpressure; resolves when the peer closed. */
async function socketMemToMem(port: number, bytes: number, tls = false): Promise<number> {
  const chunk = randomBytes(MiB);
  const socket = await connectTo(port, tls);
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

/** A throwaway P-256 key and self-signed certificate, made with openssl; undefined without it. */
function throwawayCertificate(dir: string): { key: string; cert: string } | undefined {
  const key = join(dir, 'ceiling-key.pem');
  const cert = join(dir, 'ceiling-cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=cftp-bench-ceiling',
      ],
      { stdio: 'ignore' },
    );
    return { key, cert };
  } catch {
    return undefined;
  }
}

/** Node TLS socket memory → memory: the floor under CFTP's receive path, with its CPU. */
async function tlsCeiling(ctx: BenchContext): Promise<void> {
  const { config, fixtures } = ctx;
  const bytes = config.largeBytes;
  const identity = throwawayCertificate(fixtures.work);
  if (identity === undefined) {
    ctx.skipped.push({
      system: 'ceiling (TLS socket)',
      reason: 'openssl is not installed (apt-get install openssl)',
    });
    return;
  }
  ctx.log(`ceiling: TLS socket memory → memory, ${formatSize(bytes)}`);
  const { server, port } = await startCeilingServer({ mode: 'tls-sink', ...identity });
  try {
    const samples: number[] = [];
    const cpu: number[] = [];
    for (let run = 0; run < config.largeRuns; run++) {
      const before = readCpu(server.pid)?.self ?? 0;
      samples.push(mibPerSecond(bytes, await socketMemToMem(port, bytes, true)));
      cpu.push((readCpu(server.pid)?.self ?? before) - before);
    }
    ctx.rows.push({
      scenario: 'ceiling-tls',
      title: `Node TLS socket memory→memory, ${formatSize(bytes)} in 1 MiB writes`,
      system: 'ceiling',
      unit: 'MiB/s',
      value: summarize(samples),
      details: { receiverCpuPerGiB: median(cpu) / (bytes / GiB) },
      notes: ['two processes; receiver reads and drops (64 KiB `data` events)'],
      targets: [],
    });
  } finally {
    await server.stop();
  }
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

  if (ctx.wants('ceiling-tls')) await tlsCeiling(ctx);

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
