// Per-test fixtures for the engine tests: temp folders, a server on 127.0.0.1 port 0, and
// the sockets a test opens, all torn down in afterEach.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Control, HOST } from '@cftp/wire-test';
import { afterEach } from 'vitest';
import {
  type CftpServer,
  createServer,
  type OperationEvent,
  type ServerOptions,
} from '../src/index.js';

export interface Started {
  server: CftpServer;
  port: number;
  root: string;
}

export interface Fixture {
  /** A new empty folder under the OS temp dir, removed after the test. */
  tempDir(): Promise<string>;
  /** Starts a server (root: a fresh temp folder unless given) on 127.0.0.1, port 0. */
  start(options?: Partial<ServerOptions>): Promise<Started>;
  /** A control connection that has completed `hello`, closed after the test. */
  control(port: number): Promise<Control>;
  /** A control connection that has not said anything yet. */
  rawControl(port: number): Promise<Control>;
  /** Destroys `socket` after the test (data connections). */
  track<T extends Socket>(socket: T): T;
}

/** Registers afterEach cleanup for the current file/describe and returns the fixture API. */
export function useFixture(): Fixture {
  let dirs: string[] = [];
  let servers: CftpServer[] = [];
  let sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => server.close(0)));
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    dirs = [];
    servers = [];
    sockets = [];
  });

  const fixture: Fixture = {
    async tempDir() {
      const dir = await mkdtemp(join(tmpdir(), 'cftp-server-test-'));
      dirs.push(dir);
      return dir;
    },
    async start(options = {}) {
      const root = options.root ?? (await fixture.tempDir());
      const server = createServer({ ...options, root, host: HOST, port: 0 });
      servers.push(server);
      const address = await server.listen();
      return { server, port: address.port, root };
    },
    async control(port) {
      const control = await Control.ready(port);
      sockets.push(control.socket);
      return control;
    },
    async rawControl(port) {
      const control = await Control.open(port);
      sockets.push(control.socket);
      return control;
    },
    track(socket) {
      sockets.push(socket);
      return socket;
    },
  };
  return fixture;
}

/** Resolves with the next 'operation' event that matches. */
export function nextOperation(
  server: CftpServer,
  match: (event: OperationEvent) => boolean = () => true,
): Promise<OperationEvent> {
  return new Promise((resolve) => {
    const listener = (event: OperationEvent) => {
      if (!match(event)) return;
      server.off('operation', listener);
      resolve(event);
    };
    server.on('operation', listener);
  });
}

/** Records every 'operation' event; `first(n)` resolves once n have been emitted. */
export function collectOperations(server: CftpServer): {
  events: OperationEvent[];
  first(n: number): Promise<OperationEvent[]>;
} {
  const events: OperationEvent[] = [];
  const waiters: Array<{ n: number; resolve: (events: OperationEvent[]) => void }> = [];
  server.on('operation', (event) => {
    events.push(event);
    for (const waiter of waiters.filter((w) => events.length >= w.n)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(events.slice(0, waiter.n));
    }
  });
  return {
    events,
    first(n) {
      if (events.length >= n) return Promise.resolve(events.slice(0, n));
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
  };
}

/** Names in `dir` that look like upload temp files (§8). */
export async function partFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => /\.cftp-(resume-)?[0-9a-f]{16}\.part$/.test(name));
}

export function randomData(size: number): Buffer {
  return randomBytes(size);
}
