// Vitest fixtures for process-level tests: temporary folders removed after the file, and
// `useServerProcess()`, a real built `cftp server` on 127.0.0.1 port 0 in a fresh root,
// started before each test (or once for the file) and stopped after it, checking that it
// stopped cleanly on SIGTERM.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { type LaunchOptions, type ServerProcess, startServer } from './server-process.js';

const tempDirs: string[] = [];

/** A fresh empty folder under the system temp folder, removed by `removeTempDirs`. */
export async function makeTempDir(prefix = 'cftp-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes every folder `makeTempDir` made so far. */
export async function removeTempDirs(): Promise<void> {
  const dirs = tempDirs.splice(0);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}

export interface ServerFixtureOptions extends LaunchOptions {
  /** `each` (the default): a fresh root and server for every test; `all`: one for the file. */
  scope?: 'each' | 'all';
  /** More `cftp server` arguments. */
  args?: readonly string[];
  /** The prefix of the temporary folders. */
  prefix?: string;
}

export interface ServerFixture {
  /** The running server (inside a test or an `each` hook). */
  readonly server: ServerProcess;
  /** Its root folder, empty when the server starts. */
  readonly root: string;
}

/**
 * Registers the hooks of one real `cftp server` for this file (or `describe` block). After
 * its test(s) it is stopped with SIGTERM and must exit 0: a shutdown that hangs or fails is
 * a failure of the test, not noise. Temporary folders go after the file.
 */
export function useServerProcess(options: ServerFixtureOptions = {}): ServerFixture {
  const { scope = 'each', args = [], prefix = 'cftp-test-', ...launch } = options;
  let current: { server: ServerProcess; root: string } | undefined;
  const before = scope === 'each' ? beforeEach : beforeAll;
  const after = scope === 'each' ? afterEach : afterAll;
  before(async () => {
    const root = await makeTempDir(prefix);
    current = { server: await startServer(root, args, launch), root };
  });
  after(async () => {
    const server = current?.server;
    current = undefined;
    if (server !== undefined) {
      expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }
  });
  afterAll(removeTempDirs);
  const running = () => {
    if (current === undefined) throw new Error('useServerProcess: no server outside a test');
    return current;
  };
  return {
    get server() {
      return running().server;
    },
    get root() {
      return running().root;
    },
  };
}
