// `cftp server` as a real process for tests: started on 127.0.0.1 port 0 in a given root,
// its port read from the start line, its JSON log lines collected from stderr, stopped by
// signal (or SIGKILL). Also runs `cftp client` processes with piped commands.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type ArgsFor, CFTP_CLI, withGuard, withPlaintext } from './launch.js';

const START_LINE = /^cftp server listening on (?:127\.0\.0\.\d+|\[::1\]):(\d+), root (.+)$/;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One pino line from the server's stderr. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface SpawnAs {
  /** Run as this user and group (e.g. 65534 `nobody`, when the tests run as root). */
  uid?: number;
  gid?: number;
}

export interface LaunchOptions extends SpawnAs {
  /** How `cftp` arguments become a command line (default: `withPlaintext`). */
  argsFor?: ArgsFor;
  /** Node flags before the script (e.g. `--cpu-prof`). */
  nodeFlags?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  readonly root: string;
  /** Every JSON log line so far. */
  logs(): LogLine[];
  /** Raw stderr so far. */
  stderr(): string;
  /** Resolves with the first log line (past or future) that matches. */
  waitForLog(match: (line: LogLine) => boolean, what?: string): Promise<LogLine>;
  /** Resolves with the first stderr line (past or future, JSON or not) that matches. */
  waitForStderr(pattern: RegExp, what?: string): Promise<string>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitStatus>;
  /** Whether the process is still running. */
  isRunning(): boolean;
  /** Sends `signal` (SIGTERM by default) and resolves with the exit status. */
  stop(signal?: NodeJS.Signals): Promise<ExitStatus>;
}

function awaitExit(child: ChildProcessWithoutNullStreams): Promise<ExitStatus> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

/** Starts `cftp server 0 --root ROOT --host 127.0.0.1 ...args`. */
export async function startServer(
  root: string,
  args: readonly string[] = [],
  options: LaunchOptions = {},
): Promise<ServerProcess> {
  const { argsFor = withPlaintext, nodeFlags = [], env, uid, gid } = options;
  const child = spawn(
    process.execPath,
    [
      ...nodeFlags,
      CFTP_CLI,
      ...argsFor(['server', '0', '--root', root, '--host', '127.0.0.1', ...args]),
    ],
    {
      stdio: 'pipe',
      env: env ?? process.env,
      ...(uid === undefined ? {} : { uid }),
      ...(gid === undefined ? {} : { gid }),
    },
  );
  let stderr = '';
  const lines: string[] = [];
  const textWaiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const logs: LogLine[] = [];
  const waiters: Array<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> =
    [];
  createInterface({ input: child.stderr }).on('line', (text) => {
    stderr += `${text}\n`;
    lines.push(text);
    for (const waiter of textWaiters.filter((w) => w.pattern.test(text))) {
      textWaiters.splice(textWaiters.indexOf(waiter), 1);
      waiter.resolve(text);
    }
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    logs.push(line);
    for (const waiter of waiters.filter((w) => w.match(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const exited = awaitExit(child);
  exited.catch(() => {});
  let running = true;
  void exited.then(() => {
    running = false;
  });

  const stdoutLines = createInterface({ input: child.stdout });
  const first = new Promise<string>((resolve) => stdoutLines.once('line', resolve));
  const early = exited.then((status) => {
    throw new Error(
      `cftp server exited ${JSON.stringify(status)} before its start line: ${stderr}`,
    );
  });
  const startLine = await withGuard(Promise.race([first, early]), 'cftp server start', () =>
    child.kill('SIGKILL'),
  );
  stdoutLines.on('line', () => {}); // keep draining
  const match = START_LINE.exec(startLine);
  if (match === null) {
    child.kill('SIGKILL');
    throw new Error(`unexpected start line: ${JSON.stringify(startLine)}`);
  }
  return {
    pid: child.pid ?? 0,
    port: Number(match[1]),
    root: match[2]!,
    logs: () => logs,
    stderr: () => stderr,
    waitForLog(predicate, what = 'log line') {
      const found = logs.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      const wanted = new Promise<LogLine>((resolve) => waiters.push({ match: predicate, resolve }));
      const gone = exited.then((status) => {
        throw new Error(`cftp server exited ${JSON.stringify(status)} before ${what}`);
      });
      return withGuard(Promise.race([wanted, gone]), `waiting for ${what}`);
    },
    waitForStderr(pattern, what = String(pattern)) {
      const found = lines.find((text) => pattern.test(text));
      if (found !== undefined) return Promise.resolve(found);
      const wanted = new Promise<string>((resolve) => textWaiters.push({ pattern, resolve }));
      const gone = exited.then((status) => {
        throw new Error(`cftp server exited ${JSON.stringify(status)} before ${what}`);
      });
      return withGuard(Promise.race([wanted, gone]), `waiting for ${what}`);
    },
    exited,
    isRunning: () => running,
    async stop(signal = 'SIGTERM') {
      if (running) child.kill(signal);
      return withGuard(exited, `cftp server after ${signal}`, () => child.kill('SIGKILL'));
    },
  };
}

export interface CliResult extends ExitStatus {
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Written to stdin, which is then closed. */
  input?: string;
  env?: Record<string, string>;
  /** How `cftp` arguments become a command line (default: `withPlaintext`). */
  argsFor?: ArgsFor;
  /** A longer process guard, for a process that moves a gigabyte. */
  deadlineMs?: number;
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit status (after the process guard: SIGKILL and a rejection). */
  exited: Promise<ExitStatus>;
}

/**
 * Starts `cftp ...args` and returns at once, for tests that act while it runs (e.g. kill it
 * mid-transfer).
 */
export function startCftp(args: readonly string[], options: CliOptions = {}): RunningCli {
  const { argsFor = withPlaintext } = options;
  const child = spawn(process.execPath, [CFTP_CLI, ...argsFor(args)], {
    cwd: options.cwd,
    stdio: 'pipe',
    env: { ...process.env, ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // A process that exits before reading its input (a usage error, a refused connection)
  // closes the pipe under us; that is its business, the exit code tells the story.
  child.stdin.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') stderr += `[test harness: stdin ${error.message}]`;
  });
  child.stdin.end(options.input ?? '');
  const exited = withGuard(
    awaitExit(child),
    `cftp ${args.join(' ')}`,
    () => child.kill('SIGKILL'),
    options.deadlineMs,
  );
  exited.catch(() => {});
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs `cftp ...args` to completion with `input` piped on stdin, collecting its output. */
export async function runCftp(
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  const cli = startCftp(args, options);
  const status = await cli.exited;
  return { ...status, stdout: cli.stdout(), stderr: cli.stderr() };
}
