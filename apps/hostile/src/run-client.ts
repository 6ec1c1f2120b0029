// Runs the real `cftp` binary (apps/cli/dist/main.js, under this Node) against a hostile
// server, in a sandbox folder: `home/` (HOME: known_hosts and the rest of the state) and
// `target/` (the working folder, where downloads go). While it runs, the target's files
// are watched (largest size each ever had), its peak memory is sampled, and an outer bound
// kills it if it is still running: a guard, not a speed test. Test code.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CFTP_CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

/** The client's own timeout in these tests (`--timeout`, issue 11). */
export const TIMEOUT_MS = 2_000;
export const TIMEOUT_FLAGS = ['--timeout', '2s'];
/** How long past its timeout a client may still run before the test kills it. */
export const OUTER_MARGIN_MS = 30_000;

/** A folder per run: `home/` for HOME, `target/` for the working folder. */
export interface Sandbox {
  base: string;
  home: string;
  target: string;
}

const sandboxes: string[] = [];

export async function makeSandbox(): Promise<Sandbox> {
  const base = await mkdtemp(join(tmpdir(), 'cftp-hostile-client-'));
  sandboxes.push(base);
  const sandbox = { base, home: join(base, 'home'), target: join(base, 'target') };
  await mkdir(sandbox.home);
  await mkdir(sandbox.target);
  return sandbox;
}

/** Removes every sandbox made so far (afterAll). */
export async function removeSandboxes(): Promise<void> {
  await Promise.all(sandboxes.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export interface RunOptions {
  /** Arguments after `main.js`, e.g. `['get', '--insecure-plaintext', ...TIMEOUT_FLAGS, ...]`. */
  args: readonly string[];
  sandbox: Sandbox;
  /** Piped to stdin, then stdin is closed. */
  input?: string;
  /** Killed (SIGKILL) if still running after this long. */
  boundMs?: number;
  /** Killed at once if a file under `target/` grows past this many bytes (guards the disk). */
  killAboveBytes?: number;
  /** Killed at once if its resident memory grows past this (KiB). */
  killAboveRssKiB?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together: what a terminal would show. */
  output: string;
  elapsedMs: number;
  /** Why the test killed it, if it did. */
  killed: 'bound' | 'bytes' | 'rss' | undefined;
  peakRssKiB: number;
  /** Largest size each file under `target/` had while watched (relative path → bytes). */
  largest: Map<string, number>;
}

// Reports the process's own peak RSS (KiB) as it exits, to the file named in the env.
const PEAK_AT_EXIT =
  'data:text/javascript,import{writeFileSync}from"node:fs";process.on("exit",()=>{try{writeFileSync(process.env.CFTP_HOSTILE_PEAK,String(process.resourceUsage().maxRSS))}catch{}});';

const POLL_MS = 25;

export async function runClient(options: RunOptions): Promise<RunResult> {
  const { sandbox } = options;
  const peakFile = join(sandbox.base, 'peak-rss');
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && name !== 'XDG_CONFIG_HOME' && name !== 'CI') env[name] = value;
  }
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', PEAK_AT_EXIT, CFTP_CLI, ...options.args], {
    cwd: sandbox.target,
    env: { ...env, HOME: sandbox.home, CFTP_HOSTILE_PEAK: peakFile, NO_COLOR: '1' },
    stdio: 'pipe',
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on('error', () => {});
  child.stdin.end(options.input ?? '');

  const largest = new Map<string, number>();
  let peakRssKiB = 0;
  let killed: RunResult['killed'];
  const kill = (why: NonNullable<RunResult['killed']>) => {
    if (killed === undefined) killed = why;
    child.kill('SIGKILL');
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal }));
    },
  );
  const bound = setTimeout(() => kill('bound'), options.boundMs ?? TIMEOUT_MS + OUTER_MARGIN_MS);
  let polling = false;
  let running = true;
  const poll = async () => {
    if (polling || !running) return;
    polling = true;
    try {
      await recordSizes(sandbox.target, largest);
      const limit = options.killAboveBytes;
      if (limit !== undefined && [...largest.values()].some((size) => size > limit)) kill('bytes');
      const memory = await memoryOf(child.pid);
      if (memory !== undefined) {
        peakRssKiB = Math.max(peakRssKiB, memory.peakKiB);
        if (options.killAboveRssKiB !== undefined && memory.rssKiB > options.killAboveRssKiB) {
          kill('rss');
        }
      }
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), POLL_MS);
  const status = await exited.finally(() => {
    running = false;
    clearInterval(timer);
    clearTimeout(bound);
  });
  const elapsedMs = performance.now() - started;
  await recordSizes(sandbox.target, largest);
  const reported = Number(await readFile(peakFile, 'utf8').catch(() => '0'));
  await rm(peakFile, { force: true });
  const out = Buffer.concat(stdout).toString('utf8');
  const err = Buffer.concat(stderr).toString('utf8');
  return {
    ...status,
    stdout: out,
    stderr: err,
    output: out + err,
    elapsedMs,
    killed,
    peakRssKiB: Math.max(peakRssKiB, reported),
    largest,
  };
}

/** Records the size of each file under `dir` into `largest`, keeping the largest seen. */
export async function recordSizes(dir: string, largest: Map<string, number>): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir, { recursive: true });
  } catch {
    return;
  }
  await Promise.all(
    names.map(async (name) => {
      const info = await stat(join(dir, name)).catch(() => undefined);
      if (info === undefined || !info.isFile()) return;
      largest.set(name, Math.max(largest.get(name) ?? 0, info.size));
    }),
  );
}

async function memoryOf(
  pid: number | undefined,
): Promise<{ rssKiB: number; peakKiB: number } | undefined> {
  if (pid === undefined) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  if (status === undefined) return undefined;
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  const rssKiB = field('VmRSS');
  const peakKiB = field('VmHWM');
  if (!Number.isFinite(rssKiB) || !Number.isFinite(peakKiB)) return undefined;
  return { rssKiB, peakKiB };
}
