// `cftp server --metrics HOST:PORT` (docs/server.md, "Metrics"), with real processes: the
// counters after real transfers match what moved, the output passes `promtool check metrics`,
// a real Prometheus scrapes the server and answers for `cftp_transfer_bytes_total`, and
// `/healthz` says 200 while serving and 503 during a graceful shutdown.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer as startPlainServer } from '@cftp/testkit';
import { Control } from '@cftp/wire-test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freeFixedPort,
  KiB,
  makeTempDir,
  type RunningServer,
  removeTempDirs,
  runCli,
  startServer,
  writeRandomFile,
} from './helpers.js';

/** A guard for what polls (a scrape, a Prometheus query): generous, for a busy machine. */
const POLL_DEADLINE_MS = 90_000;
const PASSWORD = 'metrics are not secrets';
const UP_SIZE = 300 * KiB + 17;
const DOWN_SIZE = 700 * KiB + 3;

/** Polls `probe` until it returns a value (not undefined); fails after the deadline. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + POLL_DEADLINE_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not within ${POLL_DEADLINE_MS} ms (last error: ${String(last)})`);
}

/** The `/metrics` URL from the server's start-up notice on stderr. */
function metricsUrl(stderr: () => string): Promise<string> {
  return waitFor('the metrics notice on stderr', async () => {
    return /^cftp server metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics) /m.exec(stderr())?.[1];
  });
}

/** Samples of a text exposition: `name{labels}` → value (labels as printed). */
function samples(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

async function scrape(url: string): Promise<{ text: string; values: Map<string, number> }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, values: samples(text) };
}

/** Runs `command args` with `input` on stdin; resolves with its exit code and output. */
function run(
  command: string,
  args: string[],
  input: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'pipe' });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}

async function healthStatus(url: string): Promise<number> {
  return (await fetch(new URL('/healthz', url))).status;
}

beforeAll(() => {
  // promtool and prometheus come from Debian's package; the script installs it where missing
  // and fails loudly where it cannot (no silent skip).
  const script = fileURLToPath(new URL('../../../scripts/ensure-prometheus.sh', import.meta.url));
  execFileSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
}, 600_000);

afterAll(removeTempDirs);

describe('--metrics: counters after real transfers, promtool, a real Prometheus', () => {
  let work: string;
  let root: string;
  let cwd: string;
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    work = await makeTempDir();
    root = join(work, 'root');
    cwd = join(work, 'client');
    await mkdir(root);
    await mkdir(cwd);
    await writeRandomFile(join(cwd, 'up.bin'), UP_SIZE);
    await writeRandomFile(join(root, 'down.bin'), DOWN_SIZE);
    const users = join(work, 'users.json');
    const added = await runCli(['server', 'adduser', users, 'alice'], {
      env: { CFTP_PASSWORD: PASSWORD },
    });
    expect(added.code).toBe(0);
    server = await startServer(root, ['--users', users, '--metrics', '127.0.0.1:0']);
    url = await metricsUrl(server.stderr);
    return async () => {
      await server.stop();
    };
  }, 120_000);

  it('counts sessions, transfers, bytes, failures and errors as they happened', async () => {
    const before = (await scrape(url)).values;
    expect(before.get('cftp_sessions_total')).toBe(0);
    expect(before.get('cftp_transfer_bytes_total{direction="in"}')).toBe(0);
    expect(before.get('cftp_transfer_bytes_total{direction="out"}')).toBe(0);
    expect(await healthStatus(url)).toBe(200);

    const session = await runCli(['client', 'alice@127.0.0.1', String(server.port)], {
      cwd,
      env: { CFTP_PASSWORD: PASSWORD },
      input: 'put up.bin\nget down.bin\nget missing.bin\n',
    });
    expect(session.stderr).toContain('(ENOENT)');
    const refused = await runCli(['client', 'alice@127.0.0.1', String(server.port)], {
      cwd,
      env: { CFTP_PASSWORD: 'wrong' },
      input: 'ls\n',
    });
    expect(refused.code).toBe(3);

    // Both clients have exited; the server notices their sessions close a moment later.
    const { text, values } = await waitFor('both sessions closed', async () => {
      const now = await scrape(url);
      return now.values.get('cftp_sessions_active') === 0 ? now : undefined;
    });
    expect(values.get('cftp_sessions_total')).toBe(2);
    expect(values.get('cftp_transfers_total{op="put",outcome="ok"}')).toBe(1);
    expect(values.get('cftp_transfers_total{op="get",outcome="ok"}')).toBe(1);
    expect(values.get('cftp_transfers_total{op="get",outcome="error"}')).toBe(1);
    expect(values.get('cftp_transfer_bytes_total{direction="in"}')).toBe(UP_SIZE);
    expect(values.get('cftp_transfer_bytes_total{direction="out"}')).toBe(DOWN_SIZE);
    expect(values.get('cftp_transfer_duration_seconds_count')).toBe(3);
    expect(values.get('cftp_login_failures_total')).toBe(1);
    expect(values.get('cftp_errors_total{code="ENOENT"}')).toBe(1);
    expect(values.get('cftp_errors_total{code="EAUTH"}')).toBe(1);
    // Node's default process metrics are there too.
    expect(values.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    // No path or user name became a label.
    for (const secret of ['up.bin', 'down.bin', 'missing.bin', 'alice']) {
      expect(text).not.toContain(secret);
    }

    const lint = await run('promtool', ['check', 'metrics'], text);
    expect(lint).toEqual({ code: 0, output: '' });
  });

  it('a real Prometheus scrapes it and answers for cftp_transfer_bytes_total', async () => {
    const target = new URL(url).host;
    const config = join(work, 'prometheus.yml');
    await writeFile(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: cftp',
        `    static_configs: [{ targets: ['${target}'] }]`,
        '',
      ].join('\n'),
    );
    // Prometheus listens on it by number: outside the ephemeral range, no port-0 bind takes it.
    const port = await freeFixedPort();
    const prometheus: ChildProcessWithoutNullStreams = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(work, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: 'pipe' },
    );
    let log = '';
    prometheus.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk;
    });
    prometheus.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk;
    });
    const exited = new Promise<number | null>((resolve) => prometheus.once('close', resolve));
    try {
      type Result = { metric: Record<string, string>; value: [number, string] };
      const query = `http://127.0.0.1:${port}/api/v1/query?query=cftp_transfer_bytes_total`;
      const series = await waitFor(
        'cftp_transfer_bytes_total from the Prometheus API',
        async () => {
          if (prometheus.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
          const body = (await (await fetch(query)).json()) as {
            status: string;
            data: { result: Result[] };
          };
          return body.status === 'success' && body.data.result.length === 2
            ? body.data.result
            : undefined;
        },
      );
      const byDirection = Object.fromEntries(
        series.map((s) => [s.metric.direction, Number(s.value[1])]),
      );
      expect(byDirection).toEqual({ in: UP_SIZE, out: DOWN_SIZE });
      for (const s of series) {
        expect(s.metric).toMatchObject({ job: 'cftp', instance: target });
      }
    } finally {
      prometheus.kill('SIGTERM');
      await exited;
    }
  }, 150_000);
});

describe('--metrics: /healthz during a graceful shutdown', () => {
  it('is 200 while serving, 503 while a transfer in flight holds the shutdown, then gone', async () => {
    const root = await makeTempDir();
    // Long enough that only the test decides when the held upload ends.
    const server = await startPlainServer(root, [
      '--metrics',
      '127.0.0.1:0',
      '--data-timeout',
      '5m',
      '--shutdown-deadline',
      '5m',
    ]);
    try {
      const url = await metricsUrl(server.stderr);
      expect(await healthStatus(url)).toBe(200);

      // An upload whose data connection never comes: the shutdown waits for it.
      const control = await Control.ready(server.port);
      const id = control.newId();
      control.send({ type: 'put', id, path: 'held.bin', size: 10 });
      await control.expect(id, 'ready');

      process.kill(server.pid, 'SIGTERM');
      await server.waitForLog((line) => line.msg.startsWith('shutting down'), 'shutting down');
      expect(await healthStatus(url)).toBe(503);
      expect(await (await fetch(new URL('/healthz', url))).text()).toBe('shutting down\n');
      // Metrics are still served while the shutdown lasts.
      expect((await scrape(url)).values.get('cftp_sessions_active')).toBe(1);

      control.close();
      expect(await server.exited).toEqual({ code: 0, signal: null });
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      if (server.isRunning()) await server.stop('SIGKILL');
    }
  }, 120_000);
});
