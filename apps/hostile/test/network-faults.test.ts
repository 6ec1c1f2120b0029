// Network faults between the client engine and a real `cftp server`, injected by the
// testkit's proxy (docs/protocol.md §7, docs/security.md "Network faults"): 1-byte writes,
// delays, stalls, cuts and corrupted bytes. Every transfer either completes verified or fails
// with a clear code; a corrupted byte is never a silent success; both sides stay usable.
import { randomInt } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CftpClient, connect } from '@cftp/client';
import { type Fault, FaultProxy, type ServerProcess, startServer } from '@cftp/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KiB,
  MiB,
  outcome,
  sha256,
  sha256File,
  until,
  useHostile,
  writeRandom,
} from './support.js';

const hostile = useHostile('network-faults');

let base: string;
let root: string;
let local: string;
let server: ServerProcess;
let proxy: FaultProxy;
const files = new Map<string, string>(); // name → SHA-256, on the server
const tally = { corrupted: 0, undetected: 0, detectedCodes: new Map<string, number>() };

beforeAll(async () => {
  base = await hostile.tempDir();
  root = join(base, 'root');
  local = join(base, 'local');
  await mkdir(root);
  await mkdir(local);
  for (const [name, size] of [
    ['small.bin', 64 * KiB],
    ['medium.bin', MiB],
    ['large.bin', 4 * MiB],
  ] as const) {
    files.set(name, await writeRandom(join(root, name), size));
    await writeRandom(join(local, name), size); // sources for uploads
  }
  server = hostile.server(await startServer(root, ['--stall-timeout', '1s']));
  proxy = await FaultProxy.start({ target: { port: server.port } });
});

afterAll(async () => {
  await proxy.close();
  hostile.figures.corruptedTransfers = tally.corrupted;
  hostile.figures.corruptedUndetected = tally.undetected;
  hostile.figures.corruptionDetectedAs = JSON.stringify(Object.fromEntries(tally.detectedCodes));
});

/** A client through the proxy, with `faults` applying to the connections it opens next. */
async function through(faults: Fault[]): Promise<CftpClient> {
  proxy.setFaults(faults);
  return hostile.client(proxy.port);
}

/** A download checked against the server's file; 'ok' only if the bytes are right. */
async function verifiedGet(client: CftpClient, name: string, target: string): Promise<string> {
  const result = await outcome(client.get(name, target));
  if (result !== 'ok') return result;
  return (await sha256File(target)) === files.get(name) ? 'ok' : 'WRONG BYTES';
}

/** An upload checked on the server's disk. */
async function verifiedPut(client: CftpClient, name: string, remote: string): Promise<string> {
  const result = await outcome(client.put(join(local, name), remote));
  if (result !== 'ok') return result;
  const want = await sha256File(join(local, name));
  return (await sha256File(join(root, remote))) === want ? 'ok' : 'WRONG BYTES';
}

/** The session still works: a clean download, verified. */
async function stillUsable(client: CftpClient): Promise<void> {
  proxy.setFaults([]);
  expect(await verifiedGet(client, 'small.bin', join(local, `check-${randomInt(1e9)}.bin`))).toBe(
    'ok',
  );
}

describe('slow and fragmented networks: everything completes, verified', () => {
  it('every byte of both channels as its own write', async () => {
    const client = await through([{ oneByte: true }]);
    expect(await verifiedGet(client, 'small.bin', join(local, 'one-byte-get.bin'))).toBe('ok');
    expect(await verifiedPut(client, 'small.bin', 'one-byte-put.bin')).toBe('ok');
    expect((await client.list('')).length).toBeGreaterThan(3);
  });

  it('a delay on every chunk, both ways', async () => {
    const client = await through([{ delayMs: 5 }]);
    expect(await verifiedGet(client, 'medium.bin', join(local, 'delayed-get.bin'))).toBe('ok');
    expect(await verifiedPut(client, 'medium.bin', 'delayed-put.bin')).toBe('ok');
  });
});

describe('a corrupted byte is never a silent success', () => {
  const RUNS = 12;

  function count(result: string): void {
    tally.corrupted++;
    if (result === 'ok' || result === 'WRONG BYTES') tally.undetected++;
    tally.detectedCodes.set(result, (tally.detectedCodes.get(result) ?? 0) + 1);
  }

  it(`downloads: ${RUNS} flipped bytes at random offsets give EINTEGRITY`, async () => {
    const client = await through([]);
    for (let i = 0; i < RUNS; i++) {
      const name = i % 2 === 0 ? 'small.bin' : 'large.bin';
      const size = name === 'small.bin' ? 64 * KiB : 4 * MiB;
      proxy.setFaults([{ channel: 'data', direction: 'down', corruptAt: randomInt(size) }]);
      const result = await verifiedGet(client, name, join(local, `corrupt-get-${i}.bin`));
      count(result);
      expect(result).toBe('EINTEGRITY');
      await stillUsable(client);
    }
  });

  it(`uploads: ${RUNS} flipped bytes at random offsets give EINTEGRITY, nothing committed`, async () => {
    const client = await through([]);
    for (let i = 0; i < RUNS; i++) {
      // The first 32 bytes up a data channel are the token (§5); the payload follows.
      proxy.setFaults([{ channel: 'data', direction: 'up', corruptAt: 32 + randomInt(MiB) }]);
      const result = await verifiedPut(client, 'medium.bin', `corrupt-put-${i}.bin`);
      count(result);
      expect(result).toBe('EINTEGRITY');
      await expect(readFile(join(root, `corrupt-put-${i}.bin`))).rejects.toMatchObject({
        code: 'ENOENT',
      });
      await stillUsable(client);
    }
  });

  it('listings: a flipped byte is detected', async () => {
    const client = await through([]);
    for (let i = 0; i < 6; i++) {
      proxy.setFaults([{ channel: 'data', direction: 'down', corruptAt: randomInt(100) }]);
      const result = await outcome(client.list(''));
      count(result);
      // Parsed as it streams: a flipped byte that breaks the JSON or the UTF-8 fails before
      // the digest is compared (EPROTO; the client engine reports broken UTF-8 as EDATA).
      expect(['EINTEGRITY', 'EPROTO', 'EDATA']).toContain(result);
      await stillUsable(client);
    }
  });

  it('the control channel from the server: no wrong bytes accepted as a success', async () => {
    for (let i = 0; i < 10; i++) {
      // Past `welcome` (about 150 bytes): inside `ready` and `done` of the download.
      const at = 150 + randomInt(250);
      proxy.setFaults([{ channel: 'control', direction: 'down', corruptAt: at }]);
      let result: string;
      try {
        const client = await connect({ host: '127.0.0.1', port: proxy.port, timeoutMs: 3000 });
        try {
          result = await verifiedGet(client, 'small.bin', join(local, `control-${i}.bin`));
        } finally {
          client.close();
        }
      } catch (error) {
        result = String((error as { code?: string }).code);
      }
      // A flipped byte in a field that does not matter (the agent string, say) leaves a
      // verified success; what must never happen is a success with the wrong bytes.
      count(result === 'ok' ? 'ok, verified' : result);
      expect(result).not.toBe('WRONG BYTES');
    }
  });
});

describe('stalls and cuts: a clear error, and both sides go on', () => {
  it('a download whose data stops flowing: the server fails it with ETIMEDOUT', async () => {
    // Larger than every socket buffer on the way, so the server's writes do block.
    const sparse = await open(join(root, 'stall.bin'), 'w');
    await sparse.truncate(256 * MiB);
    await sparse.close();
    const client = await through([]);
    proxy.setFaults([{ channel: 'data', direction: 'down', stallAfter: 64 * KiB }]);
    // The client watches the final reply while the data moves: the server's ETIMEDOUT stops
    // the stalled data channel and is what the caller sees — no signal needed.
    const result = await outcome(client.get('stall.bin', join(local, 'stalled.bin')));
    expect(result).toBe('ETIMEDOUT');
    const logged = await server.waitForLog(
      (line) => line.op === 'get' && line.path === 'stall.bin',
      'the server giving up on the stalled download',
    );
    expect(logged.outcome).toBe('ETIMEDOUT');
    await stillUsable(client);
  });

  it('an upload whose data stops flowing fails with ETIMEDOUT and commits nothing', async () => {
    const client = await through([]);
    proxy.setFaults([{ channel: 'data', direction: 'up', stallAfter: 64 * KiB }]);
    expect(await verifiedPut(client, 'large.bin', 'stalled-up.bin')).toBe('ETIMEDOUT');
    await expect(readFile(join(root, 'stalled-up.bin'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await stillUsable(client);
  });

  it('a data connection cut mid-stream, either way', async () => {
    const client = await through([]);
    proxy.setFaults([{ channel: 'data', direction: 'down', cutAfter: 100 * KiB }]);
    expect(['EDATA', 'EINTEGRITY']).toContain(
      await verifiedGet(client, 'large.bin', join(local, 'cut.bin')),
    );
    await stillUsable(client);
    proxy.setFaults([{ channel: 'data', direction: 'up', cutAfter: 100 * KiB }]);
    expect(['EDATA', 'EINTEGRITY']).toContain(await verifiedPut(client, 'large.bin', 'cut-up.bin'));
    await stillUsable(client);
  });

  it('a control connection cut mid-transfer: ECONNECTION, the server frees the session', async () => {
    const closes = () => server.logs().filter((l) => l.msg === 'session close').length;
    const before = closes();
    const client = await through([{ channel: 'control', direction: 'down', cutAfter: 300 }]);
    expect(await verifiedGet(client, 'large.bin', join(local, 'cut-control.bin'))).toBe(
      'ECONNECTION',
    );
    await until(closes, (n) => n > before, 'the server closing the cut session');
    const fresh = await through([]);
    await stillUsable(fresh);
    expect(server.isRunning()).toBe(true);
  });
});

describe('afterwards', () => {
  it('the server is up and serves a direct client', async () => {
    const direct = await hostile.client(server.port);
    expect(await verifiedGet(direct, 'large.bin', join(local, 'direct.bin'))).toBe('ok');
    expect(sha256(await readFile(join(local, 'direct.bin')))).toBe(files.get('large.bin'));
  });
});
