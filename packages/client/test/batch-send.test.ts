// A batch upload's local side (batch-send.ts, docs/protocol.md §6.7): files read on the
// calling thread and packed into few socket writes still arrive byte for byte, each file's
// chunks shown in order; a file that shrank, and a FIFO named as a file, are errors, not a
// short batch or a hang.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeLocalFiles, openLocalFiles, sendPacked } from '../src/batch-send.js';
import { useFixture } from './helpers.js';

const fx = useFixture();

/** A connected pair over 127.0.0.1; resolves with the sender and all bytes the peer read. */
async function socketPair(): Promise<{ sender: Socket; received: Promise<Buffer> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const sender = await connectTo(port);
  const peer = await accepted;
  server.close();
  const received = new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    peer.on('data', (part: Buffer) => parts.push(part));
    peer.on('end', () => {
      peer.end();
      resolve(Buffer.concat(parts));
    });
    peer.on('error', reject);
  });
  return { sender, received };
}

function connectTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('sendPacked', () => {
  it('sends every file whole and in order, across block boundaries', async () => {
    const dir = await fx.tempDir();
    // Empty, small, and larger than a block (256 KiB), up to a batch file's 1 MiB.
    const sizes = [0, 1, 4096, 300_000, 0, 1024 * 1024, 17];
    const contents = sizes.map((size) => randomBytes(size));
    const paths = sizes.map((_, i) => join(dir, `f${i}`));
    await Promise.all(paths.map((path, i) => writeFile(path, contents[i]!)));
    const files = openLocalFiles(paths);
    expect(files.map((file) => file.size)).toEqual(sizes);
    const seen = sizes.map(() => createHash('sha256'));
    const { sender, received } = await socketPair();
    try {
      const total = await sendPacked(files, sender, {
        observe: (index, chunk) => seen[index]!.update(chunk),
        signal: new AbortController().signal,
      });
      expect(total).toBe(sizes.reduce((a, b) => a + b, 0));
    } finally {
      closeLocalFiles(files);
    }
    expect(sha(await received)).toBe(sha(Buffer.concat(contents)));
    expect(seen.map((hash) => hash.digest('hex'))).toEqual(contents.map(sha));
  });

  it('refuses a file that shrank after it was opened', async () => {
    const dir = await fx.tempDir();
    await writeFile(join(dir, 'a'), 'abc');
    await writeFile(join(dir, 'b'), 'defg');
    const files = openLocalFiles([join(dir, 'a'), join(dir, 'b')]);
    await writeFile(join(dir, 'b'), 'de'); // truncated in place: the descriptor sees it
    const { sender, received } = await socketPair();
    received.catch(() => {});
    try {
      await expect(
        sendPacked(files, sender, { observe: () => {}, signal: new AbortController().signal }),
      ).rejects.toMatchObject({ code: 'EIO' });
    } finally {
      sender.destroy();
      closeLocalFiles(files);
    }
  });

  it('refuses a FIFO named as a file at once (no open that waits for a writer)', async () => {
    const dir = await fx.tempDir();
    await writeFile(join(dir, 'a'), 'abc');
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    expect(() => openLocalFiles([join(dir, 'a'), join(dir, 'pipe')])).toThrow(
      expect.objectContaining({ code: 'EISDIR' }),
    );
    expect(() => openLocalFiles([join(dir, 'missing')])).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });
});
