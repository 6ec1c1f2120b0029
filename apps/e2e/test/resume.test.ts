// Resume after a cut connection (docs/protocol.md §6.2, §6.3, §8): a client process is killed
// with SIGKILL mid-transfer, once the hidden partial `.NAME.cftp-resume-HEX.part` holds some
// bytes; `get -c` / `put -c` then continue from it, and the result is checked by SHA-256.
// The first run goes through a fault proxy that stops the data channel part-way, so the kill
// lands mid-file whatever the machine's speed. The server runs in single-port mode
// (§5.5), so the proxy forwards TLS without reading it.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type Direction, FaultProxy, type RunningCli } from '@cftp/testkit';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  MiB,
  makeTempDir,
  partFiles,
  resumeParts,
  runClient,
  sha256File,
  startCli,
  useServer,
  writeRandomFile,
} from './helpers.js';

const SIZE = 64 * MiB;
/** Where the proxy stops the first run's data channel: well inside the file. */
const STALL_AT = 4 * MiB;

const cftp = useServer({ args: ['--single-port'] });
let local: string;
let proxy: FaultProxy | undefined;

beforeEach(async () => {
  local = await makeTempDir();
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** `cftp client` through a proxy whose data channel stalls after STALL_AT bytes. */
async function startStalled(direction: Direction, command: string): Promise<RunningCli> {
  proxy = await FaultProxy.start({
    target: { port: cftp.server.port },
    faults: [{ channel: 'data', direction, stallAfter: STALL_AT }],
    singlePort: true,
  });
  return startCli(['client', '127.0.0.1', String(proxy.port), '-c', command], { cwd: local });
}

/**
 * Kills `client` with SIGKILL as soon as a resumable partial of `name` in `dir` has bytes
 * (polled: the transfer is stalled, so no later write would wake a watcher); resolves with
 * the partial's size at that moment. Fails if the client exits first.
 */
async function killWhenPartialGrows(
  client: RunningCli,
  dir: string,
  name: string,
): Promise<number> {
  let exited = false;
  const exitedFirst = client.exited.then((status) => {
    exited = true;
    throw new Error(`client exited before the kill: ${JSON.stringify(status)} ${client.stderr()}`);
  });
  exitedFirst.catch(() => {});
  const partialSize = async () => {
    for (const part of await resumeParts(dir, name)) {
      const info = await stat(join(dir, part)).catch(() => undefined);
      if (info !== undefined && info.size > 0) return info.size;
    }
    return 0;
  };
  for (let size = await partialSize(); !exited; size = await partialSize()) {
    if (size > 0) {
      client.child.kill('SIGKILL');
      return size;
    }
    await delay(20);
  }
  return exitedFirst;
}

/** `, resumed at byte N` in a summary line: N. */
function resumedAt(stdout: string): number {
  const match = /, resumed at byte (\d+)$/m.exec(stdout);
  return match === null ? 0 : Number(match[1]);
}

it('get -c continues a download cut by SIGKILL, verified end to end', async () => {
  const digest = await writeRandomFile(join(cftp.root, 'big.bin'), SIZE);
  const first = await startStalled('down', 'get big.bin');
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
  const first = await startStalled('up', 'put -c big.bin');
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
  const first = await startStalled('down', 'get big.bin');
  await killWhenPartialGrows(first, local, 'big.bin');
  await first.exited;
  const second = await runClient(cftp.server.port, ['get big.bin'], local);
  expect(second.code).toBe(0);
  expect(resumedAt(second.stdout)).toBe(0);
  expect(second.stdout).toContain(`get big.bin: ${SIZE} bytes in `);
  expect(await sha256File(join(local, 'big.bin'))).toBe(digest);
  expect(await partFiles(local)).toEqual([]);
});
