// Child processes for the harness: run one to completion (timed, output collected, its tree
// sampled from /proc), or start a long-running server that announces itself on stdout.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { workerScript } from './layout.js';
import { TreeSampler } from './proc.js';
import type { ProcessUsage } from './usage.js';

/** A guard against hung children; never a measurement. */
const DEFAULT_DEADLINE_MS = 300_000;

export interface RunOptions {
  cwd?: string;
  input?: string;
  env?: NodeJS.ProcessEnv;
  deadlineMs?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From spawn to exit. */
  wallMs: number;
  /** Sampled from /proc while it ran (every 20 ms, so the last moments may be missed). */
  sampledPeakRssKiB: number;
  sampledCpuSeconds: number;
}

/** Runs `command args` to completion and collects its output. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: 'pipe',
    });
    const sampler = child.pid === undefined ? undefined : new TreeSampler(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdin.on('error', () => {}); // a child that exits without reading its input
    child.stdin.end(options.input ?? '');
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += `\n[bench: killed after ${options.deadlineMs ?? DEFAULT_DEADLINE_MS} ms]`;
    }, options.deadlineMs ?? DEFAULT_DEADLINE_MS);
    child.once('error', (error) => {
      clearTimeout(deadline);
      sampler?.stop();
      reject(error);
    });
    child.once('exit', () => {
      // 'exit' comes before the output streams close; the wall time ends here.
      const wallMs = performance.now() - started;
      const sampled = sampler?.stop() ?? { peakRssKiB: 0, cpuSeconds: 0 };
      child.once('close', (code, signal) => {
        clearTimeout(deadline);
        resolve({
          code,
          signal,
          stdout,
          stderr,
          wallMs,
          sampledPeakRssKiB: sampled.peakRssKiB,
          sampledCpuSeconds: sampled.cpuSeconds,
        });
      });
    });
  });
}

/** `runProcess`, failing unless the exit code is 0. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await runProcess(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.code ?? result.signal}: ` +
        `${result.stderr.trim() || result.stdout.trim()}`.slice(0, 2000),
    );
  }
  return result;
}

/** The last line of `stdout` that parses as a JSON object: how workers report. */
export function lastJsonLine<T>(stdout: string): T {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (line.startsWith('{')) return JSON.parse(line) as T;
  }
  throw new Error(`no JSON result in output: ${stdout.slice(-500)}`);
}

export interface ServerProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** The first stdout line, which announces the server. */
  readonly firstLine: string;
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a server process and resolves with its first stdout line. */
export async function startServerProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; deadlineMs?: number } = {},
): Promise<ServerProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (stderr.length > 100_000) stderr = stderr.slice(-50_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const firstLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command}: no start line within ${options.deadlineMs ?? 20_000} ms`));
    }, options.deadlineMs ?? 20_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')} exited before its start line: ${stderr}`));
    });
  });
  lines.on('line', () => {}); // keep draining stdout
  if (child.pid === undefined) throw new Error(`${command}: no pid`);
  const pid = child.pid;
  return {
    pid,
    child,
    firstLine,
    stderr: () => stderr,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs a bench worker (`dist/workers/NAME.js`) to completion and returns its JSON result. */
export async function runWorker<T>(
  name: string,
  args: object,
): Promise<{ result: T & { usage: ProcessUsage }; run: RunResult }> {
  const run = await runChecked(process.execPath, [workerScript(name), JSON.stringify(args)]);
  return { result: lastJsonLine<T & { usage: ProcessUsage }>(run.stdout), run };
}
