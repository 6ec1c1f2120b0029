// One port through any firewall (issue 15, docs/protocol.md §5.5, docs/server.md), with real
// processes: a `--single-port` server reachable only through a TCP forward of exactly one
// port moves a large file both ways, and never listens anywhere else; `--data-ports` keeps
// 50 concurrent transfers inside its range and says EBUSY when the range is exhausted; a
// client without the feature gets EVERSION.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import {
  createServer as createNetServer,
  connect as netConnect,
  type Server,
  type Socket,
} from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startServer as startPlainServer } from '@cftp/testkit';
import { Control, openData, readAll } from '@cftp/wire-test';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CLI,
  cliArgs,
  freeFixedPortRange,
  MiB,
  makeTempDir,
  removeTempDirs,
  sha256File,
  writeRandomFile,
} from './helpers.js';

/** A guard against a process that never finishes (a busy machine is slow, not stuck). */
const GUARD_MS = 150_000;
const BIG = 64 * MiB;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await removeTempDirs();
}, GUARD_MS);

/** TCP ports a process listens on now, from /proc (its socket inodes, in LISTEN state). */
function listeningPorts(pid: number): Set<number> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match !== null) inodes.add(match[1]!);
    } catch {
      // closed while we looked
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      // sl local_address rem_address st ... inode (column 9); st 0A is LISTEN
      if (columns[3] === '0A' && inodes.has(columns[9] ?? '')) {
        ports.add(Number.parseInt(columns[1]?.split(':')[1] ?? '', 16));
      }
    }
  }
  return ports;
}

/** Samples `listeningPorts` until stopped; the union of every sample, and how many. */
function sampleListening(pid: number): {
  stop(): Promise<{ ports: Set<number>; samples: number }>;
} {
  const ports = new Set<number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const port of listeningPorts(pid)) ports.add(port);
      samples++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { ports, samples };
    },
  };
}

interface Spawned {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** `cftp ...args` with the e2e TLS set-up (helpers' cliArgs), collecting its output. */
function cftp(args: string[]): Spawned {
  const child = spawn(process.execPath, [CLI, ...cliArgs(args)], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end();
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const guard = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`cftp ${args.join(' ')}: still running after ${GUARD_MS} ms: ${stderr}`));
      }, GUARD_MS);
      child.once('close', (code) => {
        clearTimeout(guard);
        resolve({ code, stdout, stderr });
      });
    },
  );
  return { child, exited };
}

/** `cftp server 0 --host HOST ...args` (TLS), resolved with its port once it has started. */
async function startServerOn(host: string, root: string, args: string[]) {
  const server = cftp(['server', '0', '--root', root, '--host', host, ...args]);
  cleanups.push(async () => {
    server.child.kill('SIGTERM');
    await server.exited.catch(() => {});
  });
  const lines = createInterface({ input: server.child.stdout });
  const line = await Promise.race([
    new Promise<string>((resolve) => lines.once('line', resolve)),
    server.exited.then((status) => {
      throw new Error(`cftp server exited before its start line: ${status.stderr}`);
    }),
  ]);
  lines.on('line', () => {});
  const port = Number(/listening on [\d.]+:(\d+),/.exec(line)?.[1]);
  expect(port).toBeGreaterThan(0);
  return { pid: server.child.pid ?? 0, port };
}

/** A TCP forward of one port: 127.0.0.1:(free port) → host:port, byte for byte. */
async function forward(
  host: string,
  port: number,
): Promise<{ port: number; connections(): number }> {
  let connections = 0;
  const open = new Set<Socket>();
  const relay: Server = createNetServer((incoming) => {
    connections++;
    const outgoing = netConnect({ host, port });
    for (const socket of [incoming, outgoing]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    }
    incoming.on('error', () => outgoing.destroy());
    outgoing.on('error', () => incoming.destroy());
    incoming.pipe(outgoing);
    outgoing.pipe(incoming);
  });
  await new Promise<void>((resolve) => relay.listen({ host: '127.0.0.1', port: 0 }, resolve));
  cleanups.push(() => {
    for (const socket of open) socket.destroy();
    return new Promise((resolve) => relay.close(resolve));
  });
  const address = relay.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    connections: () => connections,
  };
}

describe('cftp server --single-port (docs/protocol.md §5.5)', () => {
  it(
    'serves a session through a TCP forward of exactly one port, listening on that port only',
    async () => {
      const root = await makeTempDir();
      const local = await makeTempDir();
      const downDigest = await writeRandomFile(join(root, 'down.bin'), BIG);
      const upDigest = await writeRandomFile(join(local, 'up.bin'), BIG + 7);
      // The server is bound to 127.0.0.2 only; the client is given only the forward's address.
      const server = await startServerOn('127.0.0.2', root, ['--single-port']);
      const relay = await forward('127.0.0.2', server.port);
      const target = `127.0.0.1:${relay.port}`;

      const sampler = sampleListening(server.pid);
      const got = await cftp(['get', `${target}:/down.bin`, join(local, 'down.bin')]).exited;
      const put = await cftp(['put', join(local, 'up.bin'), `${target}:/up.bin`]).exited;
      const { ports, samples } = await sampler.stop();

      expect(got.code, got.stderr).toBe(0);
      expect(put.code, put.stderr).toBe(0);
      expect(await sha256File(join(local, 'down.bin'))).toBe(downDigest);
      expect(await sha256File(join(root, 'up.bin'))).toBe(upDigest);
      // Every connection went through the one forwarded port: a control and a data
      // connection for each command.
      expect(relay.connections()).toBe(4);
      expect(samples).toBeGreaterThan(0);
      expect([...ports]).toEqual([server.port]);
    },
    4 * GUARD_MS,
  );

  it('answers a client without the single-port feature EVERSION', async () => {
    const root = await makeTempDir();
    const server = await startPlainServer(root, ['--single-port']);
    cleanups.push(() => server.stop());
    const control = await Control.open(server.port);
    cleanups.push(() => control.close());
    control.send({ type: 'hello', id: 1, version: 1, features: ['sha256'], agent: 'v1' });
    const reply = await control.reply(1);
    expect(reply).toMatchObject({ type: 'error', code: 'EVERSION' });
    expect(reply.type === 'error' ? reply.message : '').toMatch(/single-port/);
    await control.closed;
  });
});

describe('cftp server --data-ports LOW-HIGH', () => {
  it(
    'keeps 50 concurrent transfers inside the range',
    async () => {
      const root = await makeTempDir();
      const content = Buffer.alloc(2 * MiB, 'cftp data ports ');
      const digest = createHash('sha256').update(content).digest('hex');
      await writeFile(join(root, 'f.bin'), content);
      const range = await freeFixedPortRange(64);
      const server = await startPlainServer(root, ['--data-ports', `${range.low}-${range.high}`]);
      cleanups.push(() => server.stop());

      // 50 transfers in flight at once, over 4 sessions (at most 16 each, §12).
      const controls = await Promise.all([1, 2, 3, 4].map(() => Control.ready(server.port)));
      for (const control of controls) cleanups.push(() => control.close());
      const requests = Array.from({ length: 50 }, (_, i) => ({
        control: controls[i % 4]!,
        id: i + 1,
      }));
      const readies = await Promise.all(
        requests.map(({ control, id }) => {
          control.send({ type: 'get', id, path: 'f.bin' });
          return control.expect(id, 'ready');
        }),
      );
      const listening = listeningPorts(server.pid);
      const ports = readies.map((ready) => ready.port);
      expect(new Set(ports).size).toBe(50);
      for (const port of ports) {
        expect(port).toBeGreaterThanOrEqual(range.low);
        expect(port).toBeLessThanOrEqual(range.high);
      }
      for (const port of listening) {
        expect(port === server.port || (port >= range.low && port <= range.high)).toBe(true);
      }
      const received = await Promise.all(
        readies.map(async (ready) => readAll(await openData(ready.port, ready.token))),
      );
      const dones = await Promise.all(
        requests.map(({ control, id }) => control.expect(id, 'done')),
      );
      for (const bytes of received) {
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(digest);
      }
      for (const done of dones) expect(done.sha256).toBe(digest);
    },
    2 * GUARD_MS,
  );

  it('says EBUSY when every port of the range is held by a transfer', async () => {
    const root = await makeTempDir();
    await writeFile(join(root, 'f.txt'), 'payload');
    const range = await freeFixedPortRange(2);
    const server = await startPlainServer(root, [
      '--data-ports',
      `${range.low}-${range.high}`,
      '--data-timeout',
      '2m',
    ]);
    cleanups.push(() => server.stop());
    const control = await Control.ready(server.port);
    cleanups.push(() => control.close());
    // Two transfers announced and never connected hold both ports.
    for (const id of [1, 2]) {
      control.send({ type: 'get', id, path: 'f.txt' });
      await control.expect(id, 'ready');
    }
    control.send({ type: 'get', id: 3, path: 'f.txt' });
    const refused = await control.reply(3);
    expect(refused).toMatchObject({ type: 'error', code: 'EBUSY' });
    expect(refused.type === 'error' ? refused.message : '').toContain(
      `no free data port in ${range.low}-${range.high}`,
    );
    // The command-line client says so too.
    const cli = cftp([
      'get',
      '--insecure-plaintext',
      `127.0.0.1:${server.port}:/f.txt`,
      join(await makeTempDir(), 'f.txt'),
    ]);
    const status = await cli.exited;
    expect(status.code).not.toBe(0);
    expect(status.stderr).toMatch(/EBUSY/);
    expect(status.stderr).toMatch(/no free data port/);
  });
});
