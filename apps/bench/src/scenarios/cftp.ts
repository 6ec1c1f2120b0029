// CFTP's scenarios: the real `cftp server` process, and as client either the `cftp client`
// process (large files: what a user runs) or bench workers on @cftp/client (many files,
// latencies, concurrent and idle sessions).
import { spawn } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  type CftpServer,
  runCliTransfer,
  type Security,
  ServerMeter,
  startCftpServer,
} from '../cftp.js';
import { runWorker } from '../child.js';
import { type BenchContext, kibToMib, median } from '../context.js';
import { emptyDir, expectContents, syncDisks } from '../fixtures.js';
import { workerScript } from '../layout.js';
import { readMemory } from '../proc.js';
import type { System } from '../results.js';
import { formatSize, GiB, mibPerSecond, summarize } from '../stats.js';
import type { LatencyArgs, LatencyResult } from '../workers/cftp-latency.js';
import type { ManyFilesArgs, ManyFilesResult } from '../workers/cftp-many-files.js';
import type { SessionsArgs, SessionsResult } from '../workers/cftp-sessions.js';
import type { CftpTarget } from '../workers/io.js';

const HOST = '127.0.0.1';

/** What a worker needs to reach and trust a server. */
function target(server: CftpServer): CftpTarget {
  return { host: HOST, port: server.port, fingerprint: server.fingerprint };
}

/** The system name in the table: plain `cftp` is what users run (TLS). */
function systemOf(server: CftpServer): System {
  return server.security === 'tls' ? 'cftp' : 'cftp --insecure-plaintext';
}

async function largeTransfer(
  ctx: BenchContext,
  server: CftpServer,
  direction: 'get' | 'put',
): Promise<void> {
  const { config, fixtures } = ctx;
  const meter = new ServerMeter(server.process.pid);
  const size = formatSize(config.largeBytes);
  const id = direction === 'get' ? 'get-large' : 'put-large';
  ctx.log(`cftp: ${direction} ${size} × ${config.largeRuns} (cftp client process)`);
  const wall: number[] = [];
  const inProcess: number[] = [];
  const serverRss: number[] = [];
  const serverCpu: number[] = [];
  const clientRss: number[] = [];
  const clientCpu: number[] = [];
  for (let run = 0; run < config.largeRuns; run++) {
    meter.begin();
    const transfer =
      direction === 'get'
        ? await runCliTransfer(
            server,
            `get ${fixtures.largeName}`,
            fixtures.localGetDir,
            fixtures.work,
          )
        : await runCliTransfer(server, `put ${fixtures.localLarge}`, fixtures.work, fixtures.work);
    const used = meter.end();
    if (transfer.bytes !== config.largeBytes) {
      throw new Error(`cftp ${direction} moved ${transfer.bytes} bytes, not ${config.largeBytes}`);
    }
    wall.push(mibPerSecond(config.largeBytes, transfer.wallMs));
    inProcess.push(mibPerSecond(config.largeBytes, transfer.inProcessMs));
    serverRss.push(kibToMib(used.peakRssKiB));
    serverCpu.push(used.cpuSeconds);
    clientRss.push(kibToMib(transfer.usage?.peakRssKiB ?? transfer.run.sampledPeakRssKiB));
    clientCpu.push(transfer.usage?.cpuSeconds ?? transfer.run.sampledCpuSeconds);
    if (direction === 'get') {
      const found = await emptyDir(fixtures.localGetDir);
      expectContents('cftp get', found, { files: 1, bytes: config.largeBytes });
    } else {
      const uploaded = join(fixtures.root, basename(fixtures.localLarge));
      const found = { files: 1, bytes: (await stat(uploaded)).size };
      await rm(uploaded);
      expectContents('cftp put', found, { files: 1, bytes: config.largeBytes });
    }
    syncDisks();
  }
  ctx.rows.push({
    scenario: id,
    title: `${direction} ${size}`,
    system: systemOf(server),
    unit: 'MiB/s',
    value: summarize(wall),
    details: {
      inProcessMiBps: median(inProcess),
      serverPeakRssMiB: Math.max(...serverRss),
      clientPeakRssMiB: Math.max(...clientRss),
      serverCpuSeconds: median(serverCpu),
      clientCpuSeconds: median(clientCpu),
      serverCpuPerGiB: median(serverCpu) / (config.largeBytes / GiB),
      clientCpuPerGiB: median(clientCpu) / (config.largeBytes / GiB),
    },
    notes: ['whole `cftp client` command'],
    targets: [],
  });
}

async function manyFiles(
  ctx: BenchContext,
  server: CftpServer,
  mode: 'put' | 'get',
): Promise<void> {
  const { config, fixtures } = ctx;
  const meter = new ServerMeter(server.process.pid);
  const id = mode === 'put' ? 'put-many' : 'get-many';
  ctx.log(
    `cftp: ${mode} ${config.smallFiles} × ${formatSize(config.smallFileBytes)} × ${config.smallRuns}`,
  );
  const rates: number[] = [];
  const serverRss: number[] = [];
  const serverCpu: number[] = [];
  const clientCpu: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let strategy = config.manyFilesStrategy;
  for (let run = 0; run < config.smallRuns; run++) {
    meter.begin();
    const { result } = await runWorker<ManyFilesResult>('cftp-many-files', {
      ...target(server),
      mode,
      count: config.smallFiles,
      localDir: mode === 'put' ? fixtures.localSmallDir : fixtures.localGetManyDir,
      remoteDir: mode === 'put' ? fixtures.uploadDir : fixtures.smallRemoteDir,
      concurrency: config.concurrency,
      strategy: config.manyFilesStrategy,
    } satisfies ManyFilesArgs);
    const used = meter.end();
    errors += result.errors;
    firstError ??= result.firstError;
    strategy = result.strategy;
    rates.push(result.files / (result.ms / 1000));
    serverRss.push(kibToMib(used.peakRssKiB));
    serverCpu.push(used.cpuSeconds);
    clientCpu.push(result.usage.cpuSeconds);
    const found = await emptyDir(
      mode === 'put' ? join(fixtures.root, fixtures.uploadDir) : fixtures.localGetManyDir,
    );
    if (result.errors === 0) {
      expectContents(`cftp ${mode} many`, found, {
        files: config.smallFiles,
        bytes: config.smallFiles * config.smallFileBytes,
      });
    }
    syncDisks();
  }
  ctx.rows.push({
    scenario: id,
    title: `${mode} ${config.smallFiles} × ${formatSize(config.smallFileBytes)}`,
    system: systemOf(server),
    unit: 'files/s',
    value: summarize(rates),
    details: {
      errors,
      serverPeakRssMiB: Math.max(...serverRss),
      serverCpuSeconds: median(serverCpu),
      clientCpuSeconds: median(clientCpu),
    },
    notes: [
      strategy === 'engine-batch'
        ? `@cftp/client ${mode}Many(), ≤ 256 files per request`
        : `@cftp/client ${mode}(), ${config.concurrency} in flight`,
      ...(firstError === undefined ? [] : [`first error: ${firstError}`]),
    ],
    targets: [],
  });
}

async function latencies(ctx: BenchContext, server: CftpServer): Promise<void> {
  const { config, fixtures } = ctx;
  if (ctx.wants('list')) {
    for (const count of config.listSizes) {
      ctx.log(`cftp: list ${count} entries × ${config.latencyRuns}`);
      const { result } = await runWorker<LatencyResult>('cftp-latency', {
        ...target(server),
        mode: 'list',
        path: fixtures.listDir(count),
        runs: config.latencyRuns,
        warmup: config.latencyWarmup,
      } satisfies LatencyArgs);
      ctx.rows.push({
        scenario: `list-${count}`,
        title: `list ${count} entries`,
        system: systemOf(server),
        unit: 'ms',
        value: summarize(result.samplesMs),
        details: { entries: result.entries ?? 0 },
        notes: ['@cftp/client list(), one session'],
        targets: [],
      });
    }
  }
  if (ctx.wants('connect')) await connectLatency(ctx, server);
}

async function connectLatency(ctx: BenchContext, server: CftpServer): Promise<void> {
  const { config } = ctx;
  ctx.log(`cftp: connect + handshake × ${config.latencyRuns}`);
  const { result } = await runWorker<LatencyResult>('cftp-latency', {
    ...target(server),
    mode: 'connect',
    runs: config.latencyRuns,
    warmup: config.latencyWarmup,
  } satisfies LatencyArgs);
  ctx.rows.push({
    scenario: 'connect',
    title: 'connect + handshake',
    system: systemOf(server),
    unit: 'ms',
    value: summarize(result.samplesMs),
    details: {},
    notes: [
      server.security === 'tls'
        ? '@cftp/client connect(): TCP + TLS + hello/welcome'
        : '@cftp/client connect(): TCP + hello/welcome',
    ],
    targets: [],
  });
}

async function concurrentSessions(ctx: BenchContext, server: CftpServer): Promise<void> {
  const { config, fixtures } = ctx;
  ctx.log(
    `cftp: ${config.sessions} concurrent sessions, put + get ${formatSize(config.sessionBytes)} × ${config.sessionRuns}`,
  );
  const meter = new ServerMeter(server.process.pid);
  const seconds: number[] = [];
  const serverRss: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  for (let run = 0; run < config.sessionRuns; run++) {
    meter.begin();
    const { result } = await runWorker<SessionsResult>('cftp-sessions', {
      ...target(server),
      mode: 'transfer',
      sessions: config.sessions,
      localFile: fixtures.sessionFile,
      remoteDir: fixtures.uploadDir,
      localDir: fixtures.localSessionsDir,
    } satisfies SessionsArgs);
    const used = meter.end();
    seconds.push(result.ms / 1000);
    serverRss.push(kibToMib(used.peakRssKiB));
    errors += result.errors;
    firstError ??= result.firstError;
    const uploaded = await emptyDir(join(fixtures.root, fixtures.uploadDir));
    const downloaded = await emptyDir(fixtures.localSessionsDir);
    if (result.errors === 0) {
      const expected = { files: config.sessions, bytes: config.sessions * config.sessionBytes };
      expectContents('cftp sessions (uploads)', uploaded, expected);
      expectContents('cftp sessions (downloads)', downloaded, expected);
    }
    syncDisks();
  }
  ctx.rows.push({
    scenario: 'sessions',
    title: `${config.sessions} concurrent sessions, put + get ${formatSize(config.sessionBytes)} each`,
    system: systemOf(server),
    unit: 's',
    value: summarize(seconds),
    details: { sessions: config.sessions, errors, serverPeakRssMiB: Math.max(...serverRss) },
    notes: firstError === undefined ? [] : [`first error: ${firstError}`],
    targets: [],
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Memory per idle session: a fresh server, warmed by three sessions, then N sessions opened
 * and held; (RSS with them − RSS before) / N.
 */
async function idleSessions(ctx: BenchContext): Promise<void> {
  const { config, fixtures } = ctx;
  if (!ctx.wants('idle-session')) return;
  ctx.log(`cftp: ${config.idleSessions} idle sessions × ${config.idleRuns}`);
  const perSession: number[] = [];
  const deltas: number[] = [];
  const baseline: number[] = [];
  for (let run = 0; run < config.idleRuns; run++) {
    const server = await startCftpServer(fixtures.root, {
      security: 'tls',
      stateDir: fixtures.stateDir,
    });
    try {
      await runWorker<LatencyResult>('cftp-latency', {
        ...target(server),
        mode: 'connect',
        runs: 3,
        warmup: 0,
      } satisfies LatencyArgs);
      await sleep(300);
      const before = readMemory(server.process.pid)?.rssKiB ?? 0;
      const args: SessionsArgs = {
        ...target(server),
        mode: 'idle',
        sessions: config.idleSessions,
      };
      const child = spawn(process.execPath, [workerScript('cftp-sessions'), JSON.stringify(args)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const lines = createInterface({ input: child.stdout });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      let after: number;
      try {
        const first = await new Promise<string>((resolve, reject) => {
          lines.once('line', resolve);
          exited.then(() => reject(new Error('idle sessions worker exited early')));
        });
        const { open } = JSON.parse(first) as { open: number };
        if (open !== config.idleSessions) throw new Error(`only ${open} idle sessions opened`);
        await sleep(500);
        after = readMemory(server.process.pid)?.rssKiB ?? 0;
      } finally {
        child.stdin.end(); // the worker quits its sessions and exits
        await exited;
      }
      deltas.push(kibToMib(after - before));
      baseline.push(kibToMib(before));
      perSession.push(Math.max(0, after - before) / config.idleSessions);
    } finally {
      await server.process.stop();
    }
  }
  // The floor the issue-12 memory target is measured against: a server with no session.
  ctx.rows.push({
    scenario: 'idle-server',
    title: 'idle server RSS (no session)',
    system: 'cftp',
    unit: 'MiB',
    value: summarize(baseline),
    details: {},
    notes: ['fresh `cftp server` per run, before any client connects'],
    targets: [],
  });
  ctx.rows.push({
    scenario: 'idle-session',
    title: `memory per idle session (${config.idleSessions} open)`,
    system: 'cftp',
    unit: 'KiB',
    value: summarize(perSession),
    details: {
      sessions: config.idleSessions,
      serverBaseRssMiB: median(baseline),
      serverRssDeltaMiB: median(deltas),
    },
    notes: ['server RSS delta / sessions, fresh server per run'],
    targets: [],
  });
}

/**
 * Runs `body` against a fresh `cftp server`: each scenario's peak RSS and CPU profile are its
 * own, not what earlier scenarios left in the heap.
 */
async function withServer(
  ctx: BenchContext,
  scenario: string,
  security: Security,
  body: (server: CftpServer) => Promise<void>,
): Promise<void> {
  const { profileDir } = ctx.config;
  const server = await startCftpServer(ctx.fixtures.root, {
    security,
    stateDir: ctx.fixtures.stateDir,
    profileDir: profileDir === undefined ? undefined : join(profileDir, `${scenario}-${security}`),
  });
  try {
    await body(server);
  } finally {
    await server.process.stop();
  }
}

/**
 * CFTP as users run it (TLS) in every scenario; and without TLS (`--insecure-plaintext`,
 * like the FTP peers) where encryption costs most: large files, and connect.
 */
export async function runCftp(ctx: BenchContext): Promise<void> {
  for (const security of ['tls', 'plaintext'] as const) {
    for (const direction of ['get', 'put'] as const) {
      if (ctx.wants(`${direction}-large`)) {
        await withServer(ctx, `${direction}-large`, security, (server) =>
          largeTransfer(ctx, server, direction),
        );
      }
    }
  }
  for (const mode of ['put', 'get'] as const) {
    if (ctx.wants(`${mode}-many`)) {
      await withServer(ctx, `${mode}-many`, 'tls', (server) => manyFiles(ctx, server, mode));
    }
  }
  if (ctx.wants('list') || ctx.wants('connect')) {
    await withServer(ctx, 'latency', 'tls', (server) => latencies(ctx, server));
  }
  if (ctx.wants('connect')) {
    await withServer(ctx, 'latency', 'plaintext', (server) => connectLatency(ctx, server));
  }
  if (ctx.wants('sessions')) {
    await withServer(ctx, 'sessions', 'tls', (server) => concurrentSessions(ctx, server));
  }
  await idleSessions(ctx);
}
