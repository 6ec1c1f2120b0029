// `cftp server` as a real process for tests: started on 127.0.0.1 port 0 in a given root,
// its port read from the start line, its JSON log lines collected from stderr, stopped by
// signal (or SIGKILL). Also runs `cftp client` processes with piped commands.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The built command, `apps/cli/dist/main.js` (run `turbo run build` first). */
export const CFTP_CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

const CONNECTING = new Set(['server', 'client', 'get', 'put', 'tui']);

/**
 * The suites that predate TLS (docs/security.md) run in plaintext: `--insecure-plaintext`
 * goes right after the command name, on both sides. Arguments that choose the TLS state
 * (`--state`, `--cert`, `--known-hosts`, `--fingerprint`) or a `server` subcommand
 * (`adduser`, `passwd`) leave them as they are, so TLS tests run with TLS.
 */
export function withPlaintext(args: readonly string[]): string[] {
  const [command, ...rest] = args;
  const tls = ['--state', '--cert', '--known-hosts', '--fingerprint', '--insecure-plaintext'];
  if (command === undefined || !CONNECTING.has(command)) return [...args];
  if (rest.some((arg) => tls.includes(arg)) || /^(adduser|passwd)$/.test(rest[0] ?? '')) {
    return [...args];
  }
  return [command, '--insecure-plaintext', ...rest];
}

/** A guard against a process that never answers, not a wait. */
const DEADLINE_MS = 20_000;

const START_LINE = /^cftp server listening on 127\.0\.0\.1:(\d+), root (.+)$/;

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
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitStatus>;
  /** Whether the process is still running. */
  isRunning(): boolean;
  /** Sends `signal` (SIGTERM by default) and resolves with the exit status. */
  stop(signal?: NodeJS.Signals): Promise<ExitStatus>;
}

function withDeadline<T>(promise: Promise<T>, what: string, onLate?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onLate?.();
      reject(new Error(`${what}: nothing after ${DEADLINE_MS} ms`));
    }, DEADLINE_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
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
  as: SpawnAs = {},
): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [CFTP_CLI, ...withPlaintext(['server', '0', '--root', root, '--host', '127.0.0.1', ...args])],
    { stdio: 'pipe', ...as },
  );
  let stderr = '';
  const logs: LogLine[] = [];
  const waiters: Array<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> =
    [];
  createInterface({ input: child.stderr }).on('line', (text) => {
    stderr += `${text}\n`;
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

  const lines = createInterface({ input: child.stdout });
  const first = new Promise<string>((resolve) => lines.once('line', resolve));
  const early = exited.then((status) => {
    throw new Error(
      `cftp server exited ${JSON.stringify(status)} before its start line: ${stderr}`,
    );
  });
  const startLine = await withDeadline(Promise.race([first, early]), 'cftp server start', () =>
    child.kill('SIGKILL'),
  );
  lines.on('line', () => {}); // keep draining
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
      return withDeadline(Promise.race([wanted, gone]), `waiting for ${what}`);
    },
    exited,
    isRunning: () => running,
    async stop(signal = 'SIGTERM') {
      if (running) child.kill(signal);
      return withDeadline(exited, `cftp server after ${signal}`, () => child.kill('SIGKILL'));
    },
  };
}

export interface CliResult extends ExitStatus {
  stdout: string;
  stderr: string;
}

/** Runs `cftp ...args` to completion with `input` piped on stdin. */
export async function runCftp(
  args: readonly string[],
  options: { cwd?: string; input?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [CFTP_CLI, ...withPlaintext(args)], {
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
  child.stdin.on('error', () => {}); // a process may exit before reading its input
  child.stdin.end(options.input ?? '');
  const status = await withDeadline(awaitExit(child), `cftp ${args.join(' ')}`, () =>
    child.kill('SIGKILL'),
  );
  return { ...status, stdout, stderr };
}
