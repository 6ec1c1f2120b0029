// CFTP as a user runs it: the `cftp server` process, the `cftp client` process with commands
// on stdin, and the bench's own client workers built on @cftp/client.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type ServerProcess, startServer } from '@cftp/testkit';
import { type RunResult, runChecked } from './child.js';
import { CFTP_CLI, USAGE_PROBE } from './layout.js';
import { readCpu, readMemory, resetPeakRss } from './proc.js';
import { type ProcessUsage, USAGE_FILE_ENV } from './usage.js';

/** `cftp server fingerprint SHA256:...` on stderr (TLS servers only). */
const FINGERPRINT_LINE = /cftp server fingerprint (SHA256:\S+)/;

/** How a CFTP session is secured: TLS (the default) or `--insecure-plaintext`. */
export type Security = 'tls' | 'plaintext';

export interface CftpServer {
  port: number;
  security: Security;
  /** The certificate fingerprint clients pin (TLS only). */
  fingerprint: string | undefined;
  process: ServerProcess;
}

export interface CftpServerOptions {
  security: Security;
  /** The server's key and certificate live here (TLS), not in the user's ~/.config. */
  stateDir: string;
  /** Write a V8 CPU profile here. */
  profileDir?: string | undefined;
}

export async function startCftpServer(
  root: string,
  options: CftpServerOptions,
): Promise<CftpServer> {
  const { profileDir } = options;
  const nodeFlags = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const security =
    options.security === 'tls' ? ['--state', options.stateDir] : ['--insecure-plaintext'];
  // testkit's launcher: port 0, the port read from the start line; the arguments as given.
  const server = await startServer(root, ['--quiet', ...security], {
    argsFor: (args) => [...args],
    nodeFlags,
  });
  let fingerprint: string | undefined;
  if (options.security === 'tls') {
    // A TLS server prints its fingerprint on stderr around the start line.
    const line = await server.waitForStderr(FINGERPRINT_LINE, 'the cftp server fingerprint');
    fingerprint = FINGERPRINT_LINE.exec(line)?.[1];
  }
  return { port: server.port, security: options.security, fingerprint, process: server };
}

/** The `cftp client` flags that trust this server: its pinned fingerprint, or plaintext. */
export function clientSecurityArgs(server: CftpServer): string[] {
  return server.fingerprint === undefined
    ? ['--insecure-plaintext']
    : ['--fingerprint', server.fingerprint];
}

/** CPU seconds and peak RSS of a server across one run: `begin()` before, `end()` after. */
export class ServerMeter {
  private cpuBefore = 0;
  private resetWorked = false;

  constructor(private readonly pid: number) {}

  begin(): void {
    this.resetWorked = resetPeakRss(this.pid);
    this.cpuBefore = readCpu(this.pid)?.self ?? 0;
  }

  end(): { cpuSeconds: number; peakRssKiB: number; peakIsPerRun: boolean } {
    const cpu = readCpu(this.pid)?.self ?? this.cpuBefore;
    const memory = readMemory(this.pid);
    return {
      cpuSeconds: cpu - this.cpuBefore,
      peakRssKiB: memory?.hwmKiB ?? 0,
      peakIsPerRun: this.resetWorked,
    };
  }
}

export interface CliTransfer {
  /** The whole `cftp client` command, spawn to exit. */
  wallMs: number;
  /** What the client printed: `get NAME: N bytes in S s (R MiB/s)`. */
  bytes: number;
  inProcessMs: number;
  usage: ProcessUsage | undefined;
  run: RunResult;
}

const SUMMARY = /^(?:get|put) .*: (\d+) bytes in ([\d.]+) s/m;

/** Runs `cftp client 127.0.0.1 PORT` in `cwd` with one command, as a user would. */
export async function runCliTransfer(
  server: CftpServer,
  command: string,
  cwd: string,
  scratch: string,
): Promise<CliTransfer> {
  const usageFile = join(scratch, `usage-${process.pid}-${Date.now()}.json`);
  const run = await runChecked(
    process.execPath,
    [
      '--import',
      USAGE_PROBE,
      CFTP_CLI,
      'client',
      ...clientSecurityArgs(server),
      '127.0.0.1',
      String(server.port),
    ],
    { cwd, input: `${command}\n`, env: { ...process.env, [USAGE_FILE_ENV]: usageFile } },
  );
  const match = SUMMARY.exec(run.stdout);
  if (match === null) throw new Error(`no transfer summary from cftp client: ${run.stdout}`);
  let usage: ProcessUsage | undefined;
  try {
    usage = JSON.parse(await readFile(usageFile, 'utf8')) as ProcessUsage;
  } catch {
    usage = undefined;
  }
  await rm(usageFile, { force: true });
  return {
    wallMs: run.wallMs,
    bytes: Number(match[1]),
    inProcessMs: Number(match[2]) * 1000,
    usage,
    run,
  };
}
