// Shared pieces of the hostile suite: temporary folders, the figures each file reports in
// afterAll (read them back from the test output: lines starting with "hostile figures"),
// engine clients that are closed after each file, and a few file helpers.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type CftpClient, connect } from '@cftp/client';
import type { ServerProcess } from '@cftp/testkit';
import { afterAll } from 'vitest';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Registers the cleanup of one test file: temp folders, clients, server processes. */
export function useHostile(name: string): {
  figures: Record<string, number | string>;
  tempDir(): Promise<string>;
  client(port: number): Promise<CftpClient>;
  server<T extends ServerProcess>(server: T): T;
} {
  const dirs: string[] = [];
  const clients: CftpClient[] = [];
  const servers: ServerProcess[] = [];
  const figures: Record<string, number | string> = {};
  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(servers.map((server) => server.stop('SIGKILL')));
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    if (Object.keys(figures).length > 0) {
      console.log(`hostile figures (${name}): ${JSON.stringify(figures)}`);
    }
  });
  return {
    figures,
    async tempDir() {
      const dir = await mkdtemp(join(tmpdir(), 'cftp-hostile-'));
      dirs.push(dir);
      return dir;
    },
    async client(port) {
      const client = await connect({ host: '127.0.0.1', port });
      clients.push(client);
      return client;
    },
    server(server) {
      servers.push(server);
      return server;
    },
  };
}

export { sha256, sha256File, writeRandom } from '@cftp/testkit';

/** Upload temporary files (§8) anywhere under `dir`: `.NAME.cftp-<16 hex>.part`. */
export async function tempFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((entry) => /^\..*\.cftp-[0-9a-f]{16}\.part$/.test(basename(entry)));
}

/** Resumable partials (§8): `.NAME.cftp-resume-<16 hex>.part`. */
export async function resumableFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((entry) => /^\..*\.cftp-resume-[0-9a-f]{16}\.part$/.test(basename(entry)));
}

/** The error code a promise rejects with ('ok' if it resolves). */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : String(error);
  }
}

/**
 * Polls `read` until `done(value)` or the guard passes; a bounded wait for a condition. The
 * default guard is generous (a machine at 4x load): it only bounds a wait that never ends.
 */
export async function until<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  what: string,
  guardMs = 60_000,
): Promise<T> {
  const deadline = performance.now() + guardMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() > deadline) {
      throw new Error(`${what}: still ${JSON.stringify(value)} after ${guardMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
