// The fault proxy itself: transparent when told nothing, follows data channels by
// rewriting `ready` ports, and each fault does what it says (checked with the real engines).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CftpClient, connect } from '@cftp/client';
import { type CftpServer, createServer } from '@cftp/server';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fault, FaultProxy } from '../src/index.js';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function setUp(faults: Fault[] = [], singlePort = false) {
  const dir = await mkdtemp(join(tmpdir(), 'cftp-testkit-'));
  const root = join(dir, 'root');
  const local = join(dir, 'local');
  await Promise.all([mkdir(root), mkdir(local)]);
  const server: CftpServer = createServer({ root, host: '127.0.0.1', singlePort });
  const { port } = await server.listen(0);
  const proxy = await FaultProxy.start({ target: { port }, faults, singlePort });
  const clients: CftpClient[] = [];
  cleanups.push(async () => {
    for (const client of clients) client.close();
    await proxy.close();
    await server.close(0);
    await rm(dir, { recursive: true, force: true });
  });
  const client = async (timeoutMs?: number) => {
    const opened = await connect({
      host: '127.0.0.1',
      port: proxy.port,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    clients.push(opened);
    return opened;
  };
  return { root, local, proxy, client };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Puts `size` random bytes as up.bin and gets them back as down.bin; resolves with them. */
async function roundTrip(session: CftpClient, local: string, size: number): Promise<Buffer> {
  const content = randomBytes(size);
  await writeFile(join(local, 'up.bin'), content);
  await session.put(join(local, 'up.bin'), 'up.bin');
  await session.get('up.bin', join(local, 'down.bin'));
  return content;
}

describe('FaultProxy', () => {
  it('is transparent without faults and proxies every data channel', async () => {
    const { root, local, proxy, client } = await setUp();
    const session = await client();
    const content = await roundTrip(session, local, 300 * 1024);
    expect((await session.list('')).map((entry) => entry.name)).toEqual(['up.bin']);
    expect(sha256(await readFile(join(root, 'up.bin')))).toBe(sha256(content));
    expect(sha256(await readFile(join(local, 'down.bin')))).toBe(sha256(content));
    expect(proxy.stats).toMatchObject({ controlConnections: 1, dataConnections: 3, rewritten: 3 });
  });

  it('splits everything into 1-byte writes without changing a byte', async () => {
    const { local, proxy, client } = await setUp([{ oneByte: true }]);
    const content = await roundTrip(await client(), local, 20 * 1024);
    expect(sha256(await readFile(join(local, 'down.bin')))).toBe(sha256(content));
    expect(proxy.stats.corrupted).toBe(0);
  });

  it('corrupts exactly one byte where told: the download fails with EINTEGRITY', async () => {
    const { root, local, proxy, client } = await setUp([
      { channel: 'data', direction: 'down', corruptAt: 1000 },
    ]);
    await writeFile(join(root, 'f.bin'), randomBytes(64 * 1024));
    const session = await client();
    await expect(session.get('f.bin', join(local, 'f.bin'))).rejects.toMatchObject({
      code: 'EINTEGRITY',
    });
    expect(proxy.stats.corrupted).toBe(1);
  });

  it('cuts a data connection mid-stream; the session goes on', async () => {
    const { root, local, proxy, client } = await setUp([
      { channel: 'data', direction: 'down', nth: 1, cutAfter: 10_000 },
    ]);
    await writeFile(join(root, 'f.bin'), randomBytes(256 * 1024));
    const session = await client();
    await expect(session.get('f.bin', join(local, 'f.bin'))).rejects.toMatchObject({
      code: expect.stringMatching(/^(EDATA|EINTEGRITY)$/),
    });
    expect(proxy.stats.cut).toBe(1);
    await session.get('f.bin', join(local, 'again.bin'));
    expect((await readFile(join(local, 'again.bin'))).byteLength).toBe(256 * 1024);
  });

  describe('in single-port mode (docs/protocol.md §5.5)', () => {
    it('forwards every connection unread: the first as control, the rest as data', async () => {
      const { root, local, proxy, client } = await setUp([], true);
      const content = await roundTrip(await client(), local, 300 * 1024);
      expect(sha256(await readFile(join(root, 'up.bin')))).toBe(sha256(content));
      expect(sha256(await readFile(join(local, 'down.bin')))).toBe(sha256(content));
      expect(proxy.stats).toMatchObject({
        controlConnections: 1,
        dataConnections: 2,
        rewritten: 0,
      });
    });

    it('stalls a data channel where told, and leaves the control channel alone', async () => {
      const { root, local, proxy, client } = await setUp(
        [{ channel: 'data', direction: 'down', stallAfter: 10_000 }],
        true,
      );
      await writeFile(join(root, 'f.bin'), randomBytes(256 * 1024));
      const session = await client(1000);
      await expect(session.get('f.bin', join(local, 'f.bin'))).rejects.toMatchObject({
        code: 'ETIMEDOUT',
      });
      expect(proxy.stats.stalled).toBe(1);
      expect((await session.list('')).map((entry) => entry.name)).toEqual(['f.bin']);
    });
  });
});
