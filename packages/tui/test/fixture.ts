// Shared by the tests: temp folders, a real @cftp/server on 127.0.0.1 port 0 (never a mock)
// and Controllers connected to it, all torn down after each test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CftpServer, createServer } from '@cftp/server';
import { afterEach } from 'vitest';
import { Controller, type ControllerOptions } from '../src/controller.js';

export interface RunningServer {
  server: CftpServer;
  port: number;
  root: string;
}

export interface Fixture {
  tempDir(): Promise<string>;
  /** A real server over a fresh root (or `root`), on a free port (or `port`, to restart). */
  startServer(options?: { root?: string; port?: number }): Promise<RunningServer>;
  /** A Controller, closed after the test; connected when `port` is given. */
  controller(port?: number, options?: ControllerOptions): Promise<Controller>;
}

export function createFixture(): Fixture {
  let dirs: string[] = [];
  let servers: CftpServer[] = [];
  let controllers: Controller[] = [];

  afterEach(async () => {
    await Promise.all(controllers.map((controller) => controller.close()));
    await Promise.all(servers.map((server) => server.close(0)));
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    dirs = [];
    servers = [];
    controllers = [];
  });

  const fixture: Fixture = {
    async tempDir() {
      const dir = await mkdtemp(join(tmpdir(), 'cftp-tui-test-'));
      dirs.push(dir);
      return dir;
    },
    async startServer(options = {}) {
      const root = options.root ?? (await fixture.tempDir());
      const server = createServer({ root, host: '127.0.0.1', port: options.port ?? 0 });
      servers.push(server);
      const { port } = await server.listen();
      return { server, port, root };
    },
    async controller(port, options = {}) {
      const controller = new Controller({ connectTimeoutMs: 5000, ...options });
      controllers.push(controller);
      if (port !== undefined) {
        const ok = await controller.connect('127.0.0.1', port);
        if (!ok) throw new Error(`cannot connect: ${controller.status.error?.message}`);
      }
      return controller;
    },
  };
  return fixture;
}

// One home for these test helpers (@cftp/wire-test).
export { freeFixedPort, sha256, sha256File, writeRandom } from '@cftp/wire-test';
