// `cftp sync` against rsync (Debian's rsync, `rsync --daemon` on loopback with its own
// config) and `lftp mirror --only-newer` against vsftpd (issue #16), on one generated tree
// (sync-tree.ts), each system from the same starting point: the first sync into an empty
// destination, a no-change re-sync, 1 % of files changed, 1 % deleted with --delete, and a
// second --checksum run (CFTP's server answers it from its digest cache). Figures are wall
// seconds of the whole client command, with the client's and server's CPU seconds. Beside
// them, two floors of the same run (workers/sync-floor.ts): a durable local copy of the tree
// and a bare walk of it; a CFTP target that lies under its floor is noted on its row.
import { spawn } from 'node:child_process';
import { chown, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { clientSecurityArgs, startCftpServer } from '../cftp.js';
import { type RunResult, runChecked } from '../child.js';
import { type BenchContext, median } from '../context.js';
import { CFTP_CLI, workerScript } from '../layout.js';
import { treeCpuSeconds } from '../proc.js';
import type { Row, System } from '../results.js';
import { formatSize, summarize } from '../stats.js';
import type { SyncFloorArgs } from '../workers/sync-floor.js';
import { findExecutable, freePort, userIds, vsftpdConfig, waitForFtp } from './peers.js';
import {
  changeOnePercent,
  copyTree,
  deleteOnePercent,
  makeSyncTree,
  type SyncTreeShape,
} from './sync-tree.js';

const HOST = '127.0.0.1';

export const SYNC_SCENARIOS = [
  'sync-floor-commit',
  'sync-floor-walk',
  'sync-first',
  'sync-nochange',
  'sync-1pct-changed',
  'sync-1pct-deleted',
  'sync-checksum',
] as const;
type SyncScenario = (typeof SYNC_SCENARIOS)[number];

const TITLES: Record<SyncScenario, string> = {
  'sync-floor-commit': 'floor of a durable first sync: a local copy, fsync before each rename',
  'sync-floor-walk': 'floor of a re-sync: a Node process that only lstats the tree',
  'sync-first': 'first sync',
  'sync-nochange': 'no-change re-sync',
  'sync-1pct-changed': '1 % changed',
  'sync-1pct-deleted': '1 % deleted, --delete',
  'sync-checksum': '--checksum, second run',
};

interface SyncFlags {
  delete?: boolean;
  checksum?: boolean;
}

/** One system under test: how it syncs the source onto its server. */
interface SyncSystem {
  system: System;
  /** The server's process (CPU counted over its tree), when there is one. */
  serverPid: number;
  sync(src: string, flags: SyncFlags): Promise<RunResult>;
  /** The destination folder on disk, to check what arrived. */
  destination: string;
  checksum: boolean;
  stop(): Promise<void>;
}

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).length;
}

function waitForPort(port: number, deadlineMs = 10_000): Promise<void> {
  const until = performance.now() + deadlineMs;
  const attempt = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: HOST, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        if (performance.now() > until) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(() => attempt().then(resolve, reject), 50);
      });
    });
  return attempt();
}

async function cftpSystem(ctx: BenchContext, work: string): Promise<SyncSystem> {
  const root = join(work, 'cftp-root');
  await mkdir(root, { recursive: true });
  const server = await startCftpServer(root, {
    security: 'tls',
    stateDir: ctx.fixtures.stateDir,
    profileDir: ctx.config.profileDir,
  });
  return {
    system: 'cftp',
    serverPid: server.process.pid,
    destination: join(root, 'dst'),
    checksum: true,
    sync: (src, flags) =>
      runChecked(
        process.execPath,
        [
          CFTP_CLI,
          'sync',
          ...clientSecurityArgs(server),
          ...(flags.delete === true ? ['--delete'] : []),
          ...(flags.checksum === true ? ['--checksum'] : []),
          src,
          `${HOST}:${server.port}:/dst`,
        ],
        { cwd: work },
      ),
    stop: async () => {
      await server.process.stop('SIGTERM');
    },
  };
}

async function rsyncSystem(rsync: string, work: string): Promise<SyncSystem> {
  const root = join(work, 'rsync-root');
  await mkdir(root, { recursive: true });
  const port = await freePort();
  const config = join(work, 'rsyncd.conf');
  await writeFile(
    config,
    [
      `pid file = ${join(work, 'rsyncd.pid')}`,
      'use chroot = no',
      `log file = ${join(work, 'rsyncd.log')}`,
      '[bench]',
      `  path = ${root}`,
      '  read only = no',
      '  uid = 0',
      '  gid = 0',
      '',
    ].join('\n'),
  );
  const child = spawn(
    rsync,
    ['--daemon', '--no-detach', `--config=${config}`, `--address=${HOST}`, `--port=${port}`],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port);
  return {
    system: 'rsync daemon',
    serverPid: child.pid!,
    destination: join(root, 'dst'),
    checksum: true,
    sync: (src, flags) =>
      runChecked(rsync, [
        '-a',
        ...(flags.delete === true ? ['--delete'] : []),
        ...(flags.checksum === true ? ['--checksum'] : []),
        `${src}/`,
        `rsync://${HOST}:${port}/bench/dst/`,
      ]),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function lftpSystem(ctx: BenchContext, vsftpd: string, lftp: string, work: string) {
  const ftp = userIds('ftp');
  if (process.getuid?.() !== 0 || ftp === undefined) return 'vsftpd needs root and an `ftp` user';
  const root = join(work, 'ftp-root');
  const empty = join(work, 'ftp-empty');
  await mkdir(join(root, 'up'), { recursive: true });
  await mkdir(empty, { recursive: true });
  // Anonymous uploads are written as `ftp`; the served root itself stays root's.
  await chown(join(root, 'up'), ftp.uid, ftp.gid);
  const port = await freePort();
  const conf = join(work, 'vsftpd-sync.conf');
  await writeFile(conf, vsftpdConfig(root, port, join(work, 'vsftpd-sync.log'), empty), {
    mode: 0o600,
  });
  const child = spawn(vsftpd, [conf], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForFtp(port);
  } catch (error) {
    child.kill('SIGKILL');
    return `vsftpd did not start: ${error instanceof Error ? error.message : error}`;
  }
  const system: SyncSystem = {
    system: 'vsftpd + lftp mirror',
    serverPid: child.pid!,
    destination: join(root, 'up', 'dst'),
    checksum: false,
    sync: (src, flags) =>
      runChecked(lftp, [
        '-c',
        'set cmd:fail-exit yes; set net:max-retries 1; ' +
          `open -u anonymous,bench@ ftp://${HOST}:${port}; ` +
          `mirror -R --only-newer --no-perms --parallel=${ctx.config.concurrency} ` +
          `${flags.delete === true ? '--delete ' : ''}${src} /up/dst`,
      ]),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
  return system;
}

/** Runs every scenario on one system, from a fresh copy of the tree; returns its rows. */
async function measure(
  ctx: BenchContext,
  system: SyncSystem,
  pristine: string,
  shape: SyncTreeShape,
) {
  const src = join(ctx.fixtures.work, 'sync', `src-${system.system.replace(/\W+/g, '-')}`);
  await copyTree(pristine, src);
  const rows: Row[] = [];
  const step = async (id: SyncScenario, flags: SyncFlags = {}) => {
    const cpuBefore = treeCpuSeconds(system.serverPid);
    const run = await system.sync(src, flags);
    const serverCpu = treeCpuSeconds(system.serverPid) - cpuBefore;
    if (!ctx.wants(id)) return;
    rows.push({
      scenario: id,
      title: `sync ${shape.files} files, ${TITLES[id]}`,
      system: system.system,
      unit: 's',
      value: summarize([run.wallMs / 1000]),
      details: { clientCpuSeconds: run.sampledCpuSeconds, serverCpuSeconds: serverCpu },
      notes: [],
      targets: [],
    });
  };
  ctx.log(`sync: ${system.system}`);
  await step('sync-first');
  await step('sync-nochange');
  if (system.checksum) {
    await system.sync(src, { checksum: true }); // the first --checksum run fills any cache
    await step('sync-checksum', { checksum: true });
  }
  await changeOnePercent(src, shape);
  await step('sync-1pct-changed');
  await deleteOnePercent(src, shape);
  await step('sync-1pct-deleted', { delete: true });
  const [want, got] = await Promise.all([countFiles(src), countFiles(system.destination)]);
  if (want !== got) throw new Error(`${system.system}: ${got} files arrived, ${want} expected`);
  await rm(src, { recursive: true, force: true });
  return rows;
}

/** Runs of the walk floor: a fraction of a second each, so its median is cheap to have. */
const WALK_RUNS = 5;

/**
 * The floors (workers/sync-floor.ts), on the same tree as the systems: a durable local copy
 * (under the first sync) and a bare walk (under a re-sync that moves nothing). Rows of
 * `ceiling`, in seconds: no client started per sync can go below them on this machine.
 */
async function measureFloors(
  ctx: BenchContext,
  pristine: string,
  work: string,
  shape: SyncTreeShape,
): Promise<Row[]> {
  const rows: Row[] = [];
  const floor = async (id: SyncScenario, args: SyncFloorArgs, runs: number) => {
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let run = 0; run < runs; run++) {
      if (args.destination !== undefined)
        await rm(args.destination, { recursive: true, force: true });
      const done = await runChecked(process.execPath, [
        workerScript('sync-floor'),
        JSON.stringify(args),
      ]);
      walls.push(done.wallMs / 1000);
      cpus.push(done.sampledCpuSeconds);
    }
    rows.push({
      scenario: id,
      title: `sync ${shape.files} files, ${TITLES[id]}`,
      system: 'ceiling',
      unit: 's',
      value: summarize(walls),
      details: { clientCpuSeconds: median(cpus) },
      notes: [],
      targets: [],
    });
  };
  if (ctx.wants('sync-floor-commit')) {
    ctx.log('sync: floor of a durable first sync (local copy, fsync before each rename)');
    const destination = join(work, 'floor-copy');
    try {
      await floor('sync-floor-commit', { mode: 'commit', source: pristine, destination }, 1);
    } finally {
      await rm(destination, { recursive: true, force: true });
    }
  }
  if (ctx.wants('sync-floor-walk')) {
    ctx.log('sync: floor of a re-sync (a Node process that lstats the tree)');
    await floor('sync-floor-walk', { mode: 'walk', source: pristine }, WALK_RUNS);
  }
  return rows;
}

/** Issue #16's targets, on the CFTP rows, against rsync's rows of the same run. */
export function checkSyncTargets(rows: Row[]): void {
  const find = (scenario: string, system: System) =>
    rows.find((row) => row.scenario === scenario && row.system === system);
  const against = (
    scenario: SyncScenario,
    factor: number,
    of: Row | undefined,
    what: string,
    floor?: SyncScenario,
  ) => {
    const row = find(scenario, 'cftp');
    if (row === undefined || of === undefined) return;
    const limit = factor * of.value.median;
    row.targets.push({
      text: `≤ ${factor === 1 ? '' : `${factor} × `}${what} (${limit.toFixed(2)} s)`,
      met: row.value.median <= limit,
    });
    // A target under the floor of the same run cannot be met by a client started per sync.
    if (floor === undefined) return;
    const under = find(floor, 'ceiling');
    if (under !== undefined && under.value.median > limit) {
      row.notes.push(
        `target below the floor: ${TITLES[floor].replace(/^floor of [^:]*: /, '')} ` +
          `takes ${under.value.median.toFixed(2)} s`,
      );
    }
  };
  against('sync-first', 1, find('sync-first', 'rsync daemon'), 'rsync', 'sync-floor-commit');
  against('sync-nochange', 0.5, find('sync-nochange', 'rsync daemon'), 'rsync', 'sync-floor-walk');
  against(
    'sync-1pct-changed',
    1,
    find('sync-1pct-changed', 'rsync daemon'),
    'rsync',
    'sync-floor-walk',
  );
  against('sync-checksum', 2, find('sync-nochange', 'cftp'), 'the no-change run');
}

export async function runSync(ctx: BenchContext): Promise<void> {
  if (!SYNC_SCENARIOS.some((id) => ctx.wants(id))) return;
  if (ctx.config.quick && ctx.config.only === undefined) {
    // The smoke run stays short: the sync scenarios run in --quick only when named.
    ctx.skipped.push({ system: 'sync', reason: '--quick: name them with --only sync-first,…' });
    return;
  }
  const shape: SyncTreeShape = ctx.config.quick
    ? { files: 1000, folders: 50 }
    : { files: 10_000, folders: 500 };
  const work = join(ctx.fixtures.work, 'sync');
  const pristine = join(work, 'tree');
  ctx.log(`sync: making ${shape.files} files in ${shape.folders} folders`);
  const total = await makeSyncTree(pristine, shape);
  ctx.log(`sync: ${formatSize(total)} in all`);
  const rows: Row[] = [];
  const run = async (start: () => Promise<SyncSystem | string>, name: string) => {
    const system = await start();
    if (typeof system === 'string') {
      ctx.skipped.push({ system: name, reason: system });
      return;
    }
    try {
      rows.push(...(await measure(ctx, system, pristine, shape)));
    } finally {
      await system.stop();
    }
  };
  try {
    rows.push(...(await measureFloors(ctx, pristine, work, shape)));
    await run(() => cftpSystem(ctx, work), 'cftp');
    if (ctx.config.peers) {
      const rsync = findExecutable('rsync');
      if (rsync === undefined) {
        ctx.skipped.push({
          system: 'rsync daemon',
          reason: 'rsync is not installed (apt-get install rsync)',
        });
      } else await run(() => rsyncSystem(rsync, work), 'rsync daemon');
      const vsftpd = findExecutable('vsftpd');
      const lftp = findExecutable('lftp');
      if (vsftpd === undefined || lftp === undefined) {
        ctx.skipped.push({
          system: 'vsftpd + lftp mirror',
          reason: 'vsftpd or lftp is not installed (apt-get install vsftpd lftp)',
        });
      } else await run(() => lftpSystem(ctx, vsftpd, lftp, work), 'vsftpd + lftp mirror');
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  for (const row of rows) row.notes.push(`${formatSize(total)} in ${shape.files} files`);
  if (!ctx.config.quick) checkSyncTargets(rows);
  ctx.rows.push(...rows);
}
