// The command line itself: usage errors, exit codes, a refused connection, a bad root,
// shutdown by signal and the help text.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CLI,
  cliArgs,
  freeFixedPort,
  makeTempDir,
  removeTempDirs,
  runCli,
  runClient,
  startServer,
} from './helpers.js';

afterAll(removeTempDirs);

describe('usage errors exit 2', () => {
  it.each([
    ['client', '127.0.0.1', '70000'],
    ['client', '127.0.0.1', 'ftp'],
    ['client', '127.0.0.1', '21.5'],
    ['client', '127.0.0.1', '0'],
    ['server', '65536'],
    ['server', 'abc'],
  ])('cftp %s %s %s', async (...args) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/port/i);
  });
});

it('exits 3 with ECONNECTION when nobody listens on the port', async () => {
  const port = await freeFixedPort();
  const result = await runClient(port, ['ls'], await makeTempDir());
  expect(result.code).toBe(3);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^error: .+ \(ECONNECTION\)\n$/);
});

describe('a server root that is not a folder', () => {
  it.each([
    ['does not exist', 'ENOENT', async (base: string) => join(base, 'no such folder')],
    [
      'is a file',
      'ENOTDIR',
      async (base: string) => {
        const file = join(base, 'plain.txt');
        await writeFile(file, 'not a folder\n');
        return file;
      },
    ],
  ])('fails at once when the root %s (%s)', async (_, code, makeRoot) => {
    const root = await makeRoot(await makeTempDir());
    const result = await runCli(['server', '0', '--root', root, '--host', '127.0.0.1']);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stdout).toBe('');
    // One line naming the root and what is wrong with it, with a stable code.
    expect(result.stderr).toMatch(new RegExp(`^error: .+ \\(${code}\\)\\n$`));
    expect(result.stderr).toContain(`"${root}" is not a folder`);
  });
});

// The start line says the server is ready, and that includes being ready for a signal:
// a supervisor may stop it the moment it reports in. Several servers at once, signalled as
// soon as each prints its start line, so that a window between printing and handling
// signals shows up on every run rather than once in a while.
it.each(['SIGTERM', 'SIGINT'] as const)(
  'idle servers signalled with %s as soon as they report ready exit 0 within seconds',
  async (signal) => {
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const server = await startServer(await makeTempDir());
        const started = performance.now();
        const status = await server.stop(signal);
        return { ...status, fast: performance.now() - started < 5000, log: server.stderr() };
      }),
    );
    for (const outcome of outcomes) {
      expect({ ...outcome, log: undefined }).toEqual({
        code: 0,
        signal: null,
        fast: true,
        log: undefined,
      });
      expect(outcome.log).toContain(`"signal":"${signal}"`);
    }
  },
);

it('--help lists the server and client commands', async () => {
  const result = await runCli(['--help']);
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  expect(result.stdout).toMatch(/^Usage: cftp /);
  expect(result.stdout).toMatch(/^\s+server \[options\] <port>\s+\S/m);
  expect(result.stdout).toMatch(/^\s+client \[user@\]<host> <port>\s+\S/m);
});

it('tells a connected client why the connection ends when the server shuts down (ESHUTDOWN)', async () => {
  const root = await makeTempDir();
  const server = await startServer(root);
  const args = cliArgs(['client', '127.0.0.1', String(server.port)]);
  const client = spawn(process.execPath, [CLI, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  // The echo of a command is printed once the handshake is done: the session is up.
  const sessionUp = new Promise<void>((resolve) => {
    client.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('ftp> ls')) resolve();
    });
  });
  client.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => client.once('close', resolve));
  client.stdin.write('ls\n'); // stdin stays open: an idle, connected client
  await sessionUp;
  expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  expect(await exited).toBe(1);
  expect(stderr).toMatch(/\(ESHUTDOWN\)/);
});
