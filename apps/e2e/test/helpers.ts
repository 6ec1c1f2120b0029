// Drives the built `cftp` command as real processes over loopback: start a server on port 0
// in a temporary root and learn its port from the start line, run a client with piped
// commands, stop the server by signal, and make or hash test files by streaming.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { certificateFingerprint } from '@cftp/client';
import { Blake3Hasher } from '@napi-rs/blake-hash';

/** The built command, `apps/cli/dist/main.js` (run `turbo run build` first). */
export const CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** How long a process may take before a helper gives up on it; a guard, not a wait. */
const PROCESS_DEADLINE_MS = 20_000;

/** `cftp server listening on 127.0.0.1:43123, root /abs/dir` (or `[::1]:43123` with `--host ::1`) */
const START_LINE = /^cftp server listening on (?:127\.0\.0\.\d+|\[::1\]):(\d+), root (.+)$/;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliResult extends ExitStatus {
  stdout: string;
  stderr: string;
}

/**
 * The e2e suites run over TLS, as a user would (docs/security.md): every server of this
 * worker shares one state folder (one key, made by the first start), and every client pins
 * its fingerprint with `--fingerprint`, so no known_hosts notice appears on stderr.
 */
const STATE = mkdtempSync(join(tmpdir(), 'cftp-e2e-state-'));
process.on('exit', () => rmSync(STATE, { recursive: true, force: true }));

const CONNECTING = new Set(['server', 'client', 'get', 'put', 'tui']);
const CHOOSES_TLS = ['--state', '--cert', '--known-hosts', '--fingerprint', '--insecure-plaintext'];

/** The fingerprint of this worker's server key, once a server has made it. */
function stateFingerprint(): string | undefined {
  try {
    const pem = readFileSync(join(STATE, 'server-cert.pem'), 'utf8');
    return certificateFingerprint(Buffer.from(new X509Certificate(pem).raw));
  } catch {
    return undefined;
  }
}

/**
 * `cftp ...args` with this worker's TLS set-up added after the command name: `--state` for
 * a server, `--fingerprint` for a client (before any server started: a known_hosts file).
 * Arguments that already choose (`--state`, `--known-hosts`, `--insecure-plaintext`, ...)
 * and the `server adduser`/`passwd` helpers are left alone.
 */
export function cliArgs(args: readonly string[]): string[] {
  const [command, ...rest] = args;
  if (command === undefined || !CONNECTING.has(command)) return [...args];
  if (rest.some((arg) => CHOOSES_TLS.includes(arg)) || /^(adduser|passwd)$/.test(rest[0] ?? '')) {
    return [...args];
  }
  if (command === 'server') return [command, '--state', STATE, ...rest];
  const fingerprint = stateFingerprint();
  const trust =
    fingerprint === undefined
      ? ['--known-hosts', join(STATE, 'known_hosts')]
      : ['--fingerprint', fingerprint];
  return [command, ...trust, ...rest];
}

function spawnCli(
  args: string[],
  cwd?: string,
  env?: Record<string, string>,
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI, ...cliArgs(args)], {
    cwd,
    stdio: 'pipe',
    env: { ...process.env, ...env },
  });
}

/** Resolves when the process has exited and its output streams are closed. */
function awaitClose(child: ChildProcessWithoutNullStreams): Promise<ExitStatus> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

/** `promise`, or a rejection (and SIGKILL for `child`) if it takes longer than the guard. */
function withDeadline<T>(
  promise: Promise<T>,
  child: ChildProcessWithoutNullStreams,
  what: string,
  ms = PROCESS_DEADLINE_MS,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what}: nothing after ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Runs `cftp ...args` to completion with `input` piped on stdin, collecting its output. */
export async function runCli(
  args: string[],
  options: {
    cwd?: string;
    input?: string;
    env?: Record<string, string>;
    /** A longer guard, for a process that moves a gigabyte. */
    deadlineMs?: number;
  } = {},
): Promise<CliResult> {
  const child = spawnCli(args, options.cwd, options.env);
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
  const status = await withDeadline(
    awaitClose(child),
    child,
    `cftp ${args.join(' ')}`,
    options.deadlineMs,
  );
  return { ...status, stdout, stderr };
}

/** Runs `cftp client 127.0.0.1 PORT` in `cwd` with these command lines piped on stdin. */
export function runClient(port: number, lines: string[], cwd: string): Promise<CliResult> {
  const input = lines.map((line) => `${line}\n`).join('');
  return runCli(['client', '127.0.0.1', String(port)], { cwd, input });
}

export interface RunningServer {
  port: number;
  /** The root as the server printed it. */
  root: string;
  /** Everything the server wrote to stderr so far (its JSON log). */
  stderr(): string;
  /** Sends `signal` (SIGTERM by default) and resolves with the exit status. */
  stop(signal?: NodeJS.Signals): Promise<ExitStatus>;
}

/**
 * Starts `cftp server 0 --root ROOT --host 127.0.0.1 ...extraArgs` and resolves once it
 * has printed its start line, with the port parsed from that line.
 */
export async function startServer(root: string, extraArgs: string[] = []): Promise<RunningServer> {
  const child = spawnCli(['server', '0', '--root', root, '--host', '127.0.0.1', ...extraArgs]);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const closed = awaitClose(child);
  // Exiting before the start line is a failure reported below; exiting later is what
  // `stop` awaits. Either way the status is consumed, never an unhandled rejection.
  closed.catch(() => {});

  const lines = createInterface({ input: child.stdout });
  const firstLine = new Promise<string>((resolve) => lines.once('line', resolve));
  const exitedEarly = closed.then((status) => {
    throw new Error(
      `cftp server exited ${JSON.stringify(status)} before its start line: ${stderr}`,
    );
  });
  const startLine = await withDeadline(
    Promise.race([firstLine, exitedEarly]),
    child,
    'cftp server start line',
  );
  const match = START_LINE.exec(startLine);
  if (match === null) {
    child.kill('SIGKILL');
    throw new Error(`unexpected start line: ${JSON.stringify(startLine)}`);
  }
  // Keep draining stdout so the server never blocks on a full pipe.
  lines.on('line', () => {});

  return {
    port: Number(match[1]),
    root: match[2]!,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return withDeadline(closed, child, `cftp server after ${signal}`);
    },
  };
}

const tempDirs: string[] = [];

/** A fresh empty folder under the system temp folder, removed by `removeTempDirs`. */
export async function makeTempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cftp-e2e-'));
  tempDirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  const dirs = tempDirs.splice(0);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Writes `size` random bytes to `path` chunk by chunk; resolves with their SHA-256 (hex). */
export async function writeRandomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  async function* randomChunks() {
    for (let left = size; left > 0; ) {
      const chunk = randomBytes(Math.min(left, MiB));
      hash.update(chunk);
      left -= chunk.length;
      yield chunk;
    }
  }
  await pipeline(randomChunks, createWriteStream(path, { flags: 'wx' }));
  return hash.digest('hex');
}

/** SHA-256 (hex) of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

/** BLAKE3 (hex) of a file, read as a stream: the digest of a session whose peers both list `blake3` (docs/protocol.md §7.1). */
export async function blake3File(path: string): Promise<string> {
  const hash = new Blake3Hasher();
  for await (const chunk of createReadStream(path, { highWaterMark: MiB }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** BLAKE3 (hex) of a UTF-8 string. */
export function blake3Text(text: string): string {
  return new Blake3Hasher().update(Buffer.from(text, 'utf8')).digest('hex');
}

/** Temporary transfer files (`.NAME.cftp-HEX.part`, `.NAME.cftp-resume-HEX.part`) under `dir`. */
export async function partFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((entry) =>
    /^\..*\.cftp-(?:resume-)?[0-9a-f]+\.part$/.test(basename(entry)),
  );
}

export type QuoteStyle = 'double' | 'single' | 'backslash';

/** A command-line word for `name` quoted the way the `ftp>` prompt reads it. */
export function quoteWord(name: string, style: QuoteStyle): string {
  switch (style) {
    case 'double':
      return `"${name.replace(/["\\]/g, '\\$&')}"`;
    case 'single':
      return `'${name}'`;
    case 'backslash':
      return name.replace(/[\s"'\\]/g, '\\$&');
  }
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit status (after a guard of 20 s, SIGKILL and a rejection). */
  exited: Promise<ExitStatus>;
}

/**
 * Starts `cftp ...args` and returns at once, for tests that act while it runs (e.g. kill it
 * mid-transfer). `input`, when given, is written to stdin, which is then closed.
 */
export function startCli(
  args: string[],
  options: { cwd?: string; input?: string } = {},
): RunningCli {
  const child = spawnCli(args, options.cwd);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.on('error', () => {});
  child.stdin.end(options.input ?? '');
  const exited = withDeadline(awaitClose(child), child, `cftp ${args.join(' ')}`);
  exited.catch(() => {});
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs `cftp client 127.0.0.1 PORT ...args` (e.g. `-b FILE`, `-c CMDS`, `--json`). */
export function runClientArgs(
  port: number,
  args: string[],
  cwd: string,
  input?: string,
): Promise<CliResult> {
  return runCli(['client', '127.0.0.1', String(port), ...args], { cwd, input });
}

/** Resumable partial files (`.NAME.cftp-resume-HEX.part`) directly in `dir`. */
export async function resumeParts(dir: string, name: string): Promise<string[]> {
  const prefix = `.${name}.cftp-resume-`;
  return (await readdir(dir)).filter(
    (entry) => entry.startsWith(prefix) && entry.endsWith('.part'),
  );
}

/** A port that was free a moment ago (listen on port 0, note it, close): nobody answers there. */
export async function freedPort(): Promise<number> {
  const listener = createNetServer();
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', resolve);
  });
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  await new Promise<void>((resolve, reject) =>
    listener.close((error) => (error ? reject(error) : resolve())),
  );
  return address.port;
}
