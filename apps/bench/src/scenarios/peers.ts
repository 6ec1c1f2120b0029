// Peers in the same run, on the same files: ftp-srv (Node FTP server) with basic-ftp, and
// vsftpd with curl (large files), lftp (many files, parallel) and basic-ftp (LIST, login).
// vsftpd, curl and lftp are used when installed; otherwise the run notes the skip.
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { type RunResult, runChecked, runWorker, startServerProcess } from '../child.js';
import { type BenchContext, kibToMib, median } from '../context.js';
import { emptyDir, expectContents, syncDisks } from '../fixtures.js';
import { workerScript } from '../layout.js';
import { TreeSampler, treeCpuSeconds } from '../proc.js';
import type { System } from '../results.js';
import { formatSize, GiB, MiB, mibPerSecond, summarize } from '../stats.js';
import type { FtpClientArgs, FtpClientResult } from '../workers/ftp-client.js';

const HOST = '127.0.0.1';

export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const path = join(dir, name);
    try {
      accessSync(path, fsConstants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once an FTP server on `port` sends its 220 greeting. */
export async function waitForFtp(port: number, deadlineMs = 10_000): Promise<void> {
  const until = performance.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: HOST, port });
      socket.setEncoding('utf8');
      socket.once('data', (data: string) => {
        socket.destroy();
        resolve(data.startsWith('220'));
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (performance.now() > until) throw new Error(`no FTP greeting on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Server-side figures of one run: the whole process tree, sampled from /proc. */
async function measureServer<T>(
  pid: number,
  body: () => Promise<T>,
): Promise<{ value: T; peakRssKiB: number; cpuSeconds: number }> {
  const cpuBefore = treeCpuSeconds(pid);
  const sampler = new TreeSampler(pid);
  const value = await body();
  // vsftpd's session process exits just after the client's QUIT; its CPU time moves to
  // the parent only once reaped.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const sampled = sampler.stop();
  return { value, peakRssKiB: sampled.peakRssKiB, cpuSeconds: treeCpuSeconds(pid) - cpuBefore };
}

interface Peer {
  system: System;
  port: number;
  pid: number;
}

function ftpArgs(peer: Peer, extra: Omit<FtpClientArgs, 'host' | 'port'>): FtpClientArgs {
  return { host: HOST, port: peer.port, ...extra };
}

/** get/put of the large file, by a client process (basic-ftp worker, or curl). */
async function largeRows(
  ctx: BenchContext,
  peer: Peer,
  client: 'basic-ftp' | 'curl',
  curl?: string,
): Promise<void> {
  const { config, fixtures } = ctx;
  const size = formatSize(config.largeBytes);
  for (const direction of ['get', 'put'] as const) {
    const id = direction === 'get' ? 'get-large' : 'put-large';
    if (!ctx.wants(id)) continue;
    ctx.log(`${peer.system}: ${direction} ${size} × ${config.largeRuns}`);
    const wall: number[] = [];
    const inProcess: number[] = [];
    const serverRss: number[] = [];
    const serverCpu: number[] = [];
    const clientRss: number[] = [];
    const clientCpu: number[] = [];
    let errors = 0;
    for (let run = 0; run < config.largeRuns; run++) {
      const local =
        direction === 'get' ? join(fixtures.localGetDir, fixtures.largeName) : fixtures.localLarge;
      const remote =
        direction === 'get' ? fixtures.largeName : `${fixtures.uploadDir}/put-large.bin`;
      const measured = await measureServer(peer.pid, async () => {
        if (client === 'curl') {
          const url = `ftp://${HOST}:${peer.port}/${remote}`;
          const args =
            direction === 'get'
              ? ['-sS', '--fail', '-o', local, '-w', '%{speed_download}', url]
              : ['-sS', '--fail', '-T', local, '-w', '%{speed_upload}', url];
          const run = await runChecked(curl!, args);
          return {
            run,
            inProcessMiBps: Number(run.stdout.trim()) / MiB,
            cpu: undefined,
            rss: undefined,
          };
        }
        const { result, run } = await runWorker<FtpClientResult>(
          'ftp-client',
          ftpArgs(peer, { mode: direction, local, remote }),
        );
        errors += result.errors ?? 0;
        return {
          run,
          inProcessMiBps: mibPerSecond(config.largeBytes, result.ms ?? Number.NaN),
          cpu: result.usage.cpuSeconds,
          rss: result.usage.peakRssKiB,
        };
      });
      const { run, inProcessMiBps, cpu, rss } = measured.value;
      wall.push(mibPerSecond(config.largeBytes, run.wallMs));
      inProcess.push(inProcessMiBps);
      serverRss.push(kibToMib(measured.peakRssKiB));
      serverCpu.push(measured.cpuSeconds);
      clientRss.push(kibToMib(rss ?? run.sampledPeakRssKiB));
      clientCpu.push(cpu ?? run.sampledCpuSeconds);
      const found = await emptyDir(
        direction === 'get' ? fixtures.localGetDir : join(fixtures.root, fixtures.uploadDir),
      );
      expectContents(`${peer.system} ${direction}`, found, { files: 1, bytes: config.largeBytes });
      syncDisks();
    }
    ctx.rows.push({
      scenario: id,
      title: `${direction} ${size}`,
      system: peer.system,
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
        ...(errors > 0 ? { errors } : {}),
      },
      notes: [
        client === 'curl'
          ? 'whole `curl` command; in-process = curl speed'
          : 'whole client process',
        'no fsync',
      ],
      targets: [],
    });
  }
}

/** Many small files each way: basic-ftp over `concurrency` connections, or lftp -P. */
async function manyRows(
  ctx: BenchContext,
  peer: Peer,
  client: 'basic-ftp' | 'lftp',
  lftp?: string,
): Promise<void> {
  const { config, fixtures } = ctx;
  for (const mode of ['put', 'get'] as const) {
    const id = mode === 'put' ? 'put-many' : 'get-many';
    if (!ctx.wants(id)) continue;
    ctx.log(`${peer.system}: ${mode} ${config.smallFiles} × ${formatSize(config.smallFileBytes)}`);
    const rates: number[] = [];
    const serverCpu: number[] = [];
    const serverRss: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    for (let run = 0; run < config.smallRuns; run++) {
      const measured = await measureServer(peer.pid, async (): Promise<number> => {
        if (client === 'lftp') {
          const command =
            mode === 'put'
              ? `mput -P ${config.concurrency} -O ${fixtures.uploadDir} ${fixtures.localSmallDir}/*`
              : `mget -P ${config.concurrency} -O ${fixtures.localGetManyDir} ${fixtures.smallRemoteDir}/*`;
          const run: RunResult = await runChecked(lftp!, [
            '-c',
            `set cmd:fail-exit yes; set net:max-retries 1; set xfer:clobber on; ` +
              `open -u anonymous,bench@ ftp://${HOST}:${peer.port}; ${command}`,
          ]);
          return config.smallFiles / (run.wallMs / 1000);
        }
        const { result } = await runWorker<FtpClientResult>(
          'ftp-client',
          ftpArgs(peer, {
            mode: mode === 'put' ? 'many-put' : 'many-get',
            count: config.smallFiles,
            localDir: mode === 'put' ? fixtures.localSmallDir : fixtures.localGetManyDir,
            remoteDir: mode === 'put' ? fixtures.uploadDir : fixtures.smallRemoteDir,
            concurrency: config.concurrency,
          }),
        );
        errors += result.errors ?? 0;
        firstError ??= result.firstError;
        return (result.files ?? 0) / ((result.ms ?? Number.NaN) / 1000);
      });
      rates.push(measured.value);
      serverCpu.push(measured.cpuSeconds);
      serverRss.push(kibToMib(measured.peakRssKiB));
      const found = await emptyDir(
        mode === 'put' ? join(fixtures.root, fixtures.uploadDir) : fixtures.localGetManyDir,
      );
      if (errors === 0) {
        expectContents(`${peer.system} ${mode} many`, found, {
          files: config.smallFiles,
          bytes: config.smallFiles * config.smallFileBytes,
        });
      }
      syncDisks();
    }
    ctx.rows.push({
      scenario: id,
      title: `${mode} ${config.smallFiles} × ${formatSize(config.smallFileBytes)}`,
      system: peer.system,
      unit: 'files/s',
      value: summarize(rates),
      details: {
        errors,
        serverPeakRssMiB: Math.max(...serverRss),
        serverCpuSeconds: median(serverCpu),
      },
      notes: [
        client === 'lftp'
          ? `lftp m${mode} -P ${config.concurrency}, whole command`
          : `basic-ftp, ${config.concurrency} connections`,
        ...(firstError === undefined ? [] : [`first error: ${firstError}`]),
      ],
      targets: [],
    });
  }
}

/** LIST timings and connect + login timings with basic-ftp, in-process. */
async function latencyRows(ctx: BenchContext, peer: Peer): Promise<void> {
  const { config, fixtures } = ctx;
  if (ctx.wants('list')) {
    for (const count of config.listSizes) {
      ctx.log(`${peer.system}: LIST ${count} entries`);
      const { result } = await runWorker<FtpClientResult>(
        'ftp-client',
        ftpArgs(peer, {
          mode: 'list',
          path: fixtures.listDir(count),
          runs: config.latencyRuns,
          warmup: config.latencyWarmup,
        }),
      );
      ctx.rows.push({
        scenario: `list-${count}`,
        title: `list ${count} entries`,
        system: peer.system,
        unit: 'ms',
        value: summarize(result.samplesMs ?? []),
        details: { entries: result.entries ?? 0 },
        notes: ['basic-ftp list() (PASV + LIST), one connection'],
        targets: [],
      });
    }
  }
  if (ctx.wants('connect')) {
    ctx.log(`${peer.system}: connect + login`);
    const { result } = await runWorker<FtpClientResult>(
      'ftp-client',
      ftpArgs(peer, { mode: 'connect', runs: config.latencyRuns, warmup: config.latencyWarmup }),
    );
    ctx.rows.push({
      scenario: 'connect',
      title: 'connect + handshake',
      system: peer.system,
      unit: 'ms',
      value: summarize(result.samplesMs ?? []),
      details: {},
      notes: ['basic-ftp access(): TCP + greeting + USER/PASS + FEAT/TYPE/...'],
      targets: [],
    });
  }
}

export async function runFtpSrv(ctx: BenchContext): Promise<void> {
  const port = await freePort();
  const server = await startServerProcess(process.execPath, [
    workerScript('ftp-srv-server'),
    JSON.stringify({ root: ctx.fixtures.root, port }),
  ]);
  const peer: Peer = { system: 'ftp-srv + basic-ftp', port, pid: server.pid };
  try {
    await largeRows(ctx, peer, 'basic-ftp');
    await manyRows(ctx, peer, 'basic-ftp');
    await latencyRows(ctx, peer);
  } finally {
    await server.stop();
  }
}

export function vsftpdConfig(
  root: string,
  port: number,
  logFile: string,
  emptyDir: string,
): string {
  return `${[
    'listen=YES',
    'listen_ipv6=NO',
    `listen_address=${HOST}`,
    `listen_port=${port}`,
    'background=NO',
    'anonymous_enable=YES',
    `anon_root=${root}`,
    'no_anon_password=YES',
    'local_enable=NO',
    'write_enable=YES',
    'anon_upload_enable=YES',
    'anon_mkdir_write_enable=YES',
    'anon_other_write_enable=YES',
    'anon_umask=022',
    'dirlist_enable=YES',
    'download_enable=YES',
    'pasv_enable=YES',
    `pasv_address=${HOST}`,
    'connect_from_port_20=NO',
    'xferlog_enable=NO',
    `vsftpd_log_file=${logFile}`,
    'syslog_enable=NO',
    'seccomp_sandbox=NO',
    'isolate=NO',
    'isolate_network=NO',
    `secure_chroot_dir=${emptyDir}`,
    'max_clients=0',
    'max_per_ip=0',
    'use_sendfile=YES',
    'ftp_username=ftp',
    'ssl_enable=NO',
    'idle_session_timeout=300',
    'data_connection_timeout=300',
  ].join('\n')}\n`;
}

export function userIds(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

export async function runVsftpd(ctx: BenchContext): Promise<void> {
  const vsftpd = findExecutable('vsftpd');
  const curl = findExecutable('curl');
  const lftp = findExecutable('lftp');
  const ftp = userIds('ftp');
  const skip = (reason: string) => {
    ctx.log(`vsftpd: skipped (${reason})`);
    ctx.skipped.push({ system: 'vsftpd', reason });
  };
  if (vsftpd === undefined)
    return skip('vsftpd is not installed (apt-get install vsftpd lftp curl)');
  if (process.getuid?.() !== 0) return skip('vsftpd needs root for its chroot and user switch');
  if (ftp === undefined) return skip('no `ftp` user for anonymous sessions');

  const { fixtures } = ctx;
  const port = await freePort();
  const confPath = join(fixtures.work, 'vsftpd.conf');
  const emptyChroot = join(fixtures.work, 'vsftpd-empty');
  await rm(emptyChroot, { recursive: true, force: true });
  await mkdir(emptyChroot, { mode: 0o755 });
  // Anonymous uploads are written as the `ftp` user; the served root itself stays root's.
  await chown(join(fixtures.root, fixtures.uploadDir), ftp.uid, ftp.gid);
  await writeFile(
    confPath,
    vsftpdConfig(fixtures.root, port, join(fixtures.work, 'vsftpd.log'), emptyChroot),
    { mode: 0o600 },
  );
  const child = spawn(vsftpd, [confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      waitForFtp(port),
      exited.then(() => {
        throw new Error(`vsftpd exited: ${output.trim()}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    return skip(`vsftpd did not start: ${error instanceof Error ? error.message : error}`);
  }
  const pid = child.pid!;
  try {
    if (curl === undefined) skip('curl is not installed: no vsftpd large-file rows');
    else await largeRows(ctx, { system: 'vsftpd + curl', port, pid }, 'curl', curl);
    if (lftp === undefined) {
      ctx.skipped.push({
        system: 'vsftpd + lftp',
        reason: 'lftp not installed (apt-get install lftp); basic-ftp used',
      });
      await manyRows(ctx, { system: 'vsftpd + basic-ftp', port, pid }, 'basic-ftp');
    } else {
      await manyRows(ctx, { system: 'vsftpd + lftp', port, pid }, 'lftp', lftp);
    }
    await latencyRows(ctx, { system: 'vsftpd + basic-ftp', port, pid });
  } finally {
    child.kill('SIGTERM');
    await exited;
    await chown(join(fixtures.root, fixtures.uploadDir), 0, 0).catch(() => {});
  }
}
