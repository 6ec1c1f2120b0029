// Resume after a cut connection (docs/protocol.md §6.2, §6.3, §8): a client process is killed
// with SIGKILL mid-transfer, once the hidden partial `.NAME.cftp-resume-HEX.part` holds some
// bytes; `get -c` / `put -c` then continue from it, and the result is checked by SHA-256.
import { stat, watch } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import {
  MiB,
  makeTempDir,
  partFiles,
  type RunningCli,
  resumeParts,
  runClient,
  sha256File,
  startCli,
  useServer,
  writeRandomFile,
} from './helpers.js';

const SIZE = 64 * MiB;

const cftp = useServer();
let local: string;

beforeEach(async () => {
  local = await makeTempDir();
});

/**
 * Watches `dir` and kills `client` with SIGKILL as soon as a resumable partial of `name`
 * there has bytes; resolves with the partial's size at that moment. Fails if the client
 * exits first (the transfer was not interrupted).
 */
async function killWhenPartialGrows(
  client: RunningCli,
  dir: string,
  name: string,
): Promise<number> {
  const stop = new AbortController();
  const partialSize = async () => {
    for (const part of await resumeParts(dir, name)) {
      const info = await stat(join(dir, part)).catch(() => undefined);
      if (info !== undefined && info.size > 0) return info.size;
    }
    return 0;
  };
  const killed = (async () => {
    const events = watch(dir, { signal: stop.signal });
    let size = await partialSize();
    if (size === 0) {
      for await (const _ of events) {
        size = await partialSize();
        if (size > 0) break;
      }
    }
    client.child.kill('SIGKILL');
    return size;
  })();
  const exitedFirst = client.exited.then((status) => {
    throw new Error(`client exited before the kill: ${JSON.stringify(status)} ${client.stderr()}`);
  });
  try {
    return await Promise.race([killed, exitedFirst]);
  } finally {
    stop.abort();
    killed.catch(() => {});
    exitedFirst.catch(() => {});
  }
}

/** `, resumed at byte N` in a summary line: N. */
function resumedAt(stdout: string): number {
  const match = /, resumed at byte (\d+)$/m.exec(stdout);
  return match === null ? 0 : Number(match[1]);
}

it('get -c continues a download cut by SIGKILL, verified end to end', async () => {
  const digest = await writeRandomFile(join(cftp.root, 'big.bin'), SIZE);
  const first = startCli(['client', '127.0.0.1', String(cftp.server.port), '-c', 'get big.bin'], {
    cwd: local,
  });
  const cutAt = await killWhenPartialGrows(first, local, 'big.bin');
  expect((await first.exited).signal).toBe('SIGKILL');
  expect(cutAt).toBeGreaterThan(0);
  const [partial] = await resumeParts(local, 'big.bin');
  expect(partial).toMatch(/^\.big\.bin\.cftp-resume-[0-9a-f]{16}\.part$/);
  const kept = (await stat(join(local, partial!))).size;
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(SIZE);

  const second = await runClient(cftp.server.port, ['get -c big.bin'], local);
  expect(second.stderr).toBe('');
  expect(second.code).toBe(0);
  expect(resumedAt(second.stdout)).toBe(kept);
  expect(second.stdout).toContain(`get big.bin: ${SIZE - kept} bytes in `);
  expect(await sha256File(join(local, 'big.bin'))).toBe(digest);
  expect(await partFiles(local)).toEqual([]);
});

it('put -c continues an upload cut by SIGKILL from the part the server kept', async () => {
  const digest = await writeRandomFile(join(local, 'big.bin'), SIZE);
  const first = startCli(
    ['client', '127.0.0.1', String(cftp.server.port), '-c', 'put -c big.bin'],
    {
      cwd: local,
    },
  );
  const cutAt = await killWhenPartialGrows(first, cftp.root, 'big.bin');
  expect((await first.exited).signal).toBe('SIGKILL');
  expect(cutAt).toBeGreaterThan(0);

  const second = await runClient(cftp.server.port, ['put -c big.bin'], local);
  expect(second.stderr).toBe('');
  expect(second.code).toBe(0);
  const resumed = resumedAt(second.stdout);
  expect(resumed).toBeGreaterThan(0);
  expect(resumed).toBeLessThan(SIZE);
  expect(second.stdout).toContain(`put big.bin: ${SIZE - resumed} bytes in `);
  expect(await sha256File(join(cftp.root, 'big.bin'))).toBe(digest);
  expect(await partFiles(cftp.root)).toEqual([]);
});

it('get without -c starts over, and still leaves one whole verified file', async () => {
  const digest = await writeRandomFile(join(cftp.root, 'big.bin'), SIZE);
  const first = startCli(['client', '127.0.0.1', String(cftp.server.port), '-c', 'get big.bin'], {
    cwd: local,
  });
  await killWhenPartialGrows(first, local, 'big.bin');
  await first.exited;
  const second = await runClient(cftp.server.port, ['get big.bin'], local);
  expect(second.code).toBe(0);
  expect(resumedAt(second.stdout)).toBe(0);
  expect(second.stdout).toContain(`get big.bin: ${SIZE} bytes in `);
  expect(await sha256File(join(local, 'big.bin'))).toBe(digest);
  expect(await partFiles(local)).toEqual([]);
});
