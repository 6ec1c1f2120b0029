// sendFile / sendFiles over a real loopback socket; observePrefix over a real file.
import { randomBytes } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CftpError } from '@cftp/protocol';
import { describe, expect, it } from 'vitest';
import {
  observePrefix,
  readFromHandle,
  sendFile,
  sendFiles,
  TLS_WRITE_PIECE_BYTES,
  writeChunk,
} from '../src/index.js';
import { readAll, sha256, useTemp } from './helpers.js';

const temp = useTemp();

async function fileWith(data: Uint8Array) {
  const path = join(await temp.dir(), 'source.bin');
  await writeFile(path, data);
  const handle = await open(path, 'r');
  return { handle, source: { size: data.byteLength, read: readFromHandle(handle) } };
}

describe('sendFile', () => {
  it('sends the file from `start` to its end, shows every byte, and ends the socket', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const { handle, source } = await fileWith(data);
    const { sending, receiving } = await temp.socketPair();
    const seen: Buffer[] = [];
    const received = readAll(receiving);
    const sent = await sendFile(source, sending, {
      start: 1000,
      observe: (chunk) => seen.push(Buffer.from(chunk)),
      signal: new AbortController().signal,
    });
    await handle.close();
    expect(sent).toBe(data.byteLength - 1000);
    expect(sha256(await received)).toBe(sha256(data.subarray(1000)));
    expect(sha256(Buffer.concat(seen))).toBe(sha256(data.subarray(1000)));
  });

  it('an abort destroys the socket and rejects with the reason', async () => {
    const data = randomBytes(64 * 1024 * 1024);
    const { handle, source } = await fileWith(data);
    const { sending, receiving } = await temp.socketPair();
    receiving.pause(); // the peer stops reading: the send waits on backpressure
    const controller = new AbortController();
    const sent = sendFile(source, sending, { signal: controller.signal });
    const reason = new CftpError('ECANCELED', 'stop');
    controller.abort(reason);
    await expect(sent).rejects.toBe(reason);
    expect(sending.destroyed).toBe(true);
    await handle.close();
  });
});

describe('writeChunk', () => {
  it('hands a TLS socket a piece at a time, in call order when calls overlap', async () => {
    const { sending, receiving } = await temp.tlsPair();
    const received = readAll(receiving);
    const chunks = [
      randomBytes(3 * TLS_WRITE_PIECE_BYTES + 5),
      randomBytes(100),
      randomBytes(2 * TLS_WRITE_PIECE_BYTES),
    ];
    let mostQueued = 0;
    const watch = () => {
      mostQueued = Math.max(mostQueued, sending.writableLength);
    };
    // Not awaited one by one: the pump has several blocks' writes in flight.
    const writes = chunks.map((chunk) => writeChunk(sending, chunk).then(watch));
    watch();
    await Promise.all(writes);
    sending.end();
    expect(sha256(await received)).toBe(sha256(Buffer.concat(chunks)));
    // Whole blocks would have queued them all at once (> 5 pieces) behind the encryption.
    expect(mostQueued).toBeLessThanOrEqual(TLS_WRITE_PIECE_BYTES);
  });

  it('hands a plain socket the whole chunk', async () => {
    const { sending, receiving } = await temp.socketPair();
    receiving.pause(); // nothing is read: what the kernel does not take stays queued
    const chunk = randomBytes(32 * 1024 * 1024); // more than loopback's socket buffers take
    const written = writeChunk(sending, chunk);
    expect(sending.writableLength).toBeGreaterThan(TLS_WRITE_PIECE_BYTES);
    receiving.resume();
    const received = readAll(receiving);
    await written;
    sending.end();
    expect(sha256(await received)).toBe(sha256(chunk));
  });
});

describe('sendFiles', () => {
  it('sends the files back to back, each its stated size, with the file index', async () => {
    const parts = [randomBytes(5000), Buffer.alloc(0), randomBytes(2 * 1024 * 1024 + 3)];
    const opened = await Promise.all(parts.map(fileWith));
    const { sending, receiving } = await temp.socketPair();
    const seen = parts.map(() => [] as Buffer[]);
    const received = readAll(receiving);
    const total = await sendFiles(
      opened.map((o) => o.source),
      sending,
      {
        observe: (i, chunk) => seen[i]!.push(Buffer.from(chunk)),
        shrank: (i) => new Error(`file ${i} shrank`),
        signal: new AbortController().signal,
      },
    );
    await Promise.all(opened.map((o) => o.handle.close()));
    expect(total).toBe(parts.reduce((n, p) => n + p.byteLength, 0));
    expect(sha256(await received)).toBe(sha256(Buffer.concat(parts)));
    for (const [i, chunks] of seen.entries()) {
      expect(sha256(Buffer.concat(chunks))).toBe(sha256(parts[i]!));
    }
  });

  it('stops with the caller’s error when a file has fewer bytes than stated', async () => {
    const { handle, source } = await fileWith(randomBytes(100));
    const { sending } = await temp.socketPair();
    const sent = sendFiles([{ ...source, size: 200 }], sending, {
      observe: () => {},
      shrank: (i) => new CftpError('EIO', `file ${i} shrank`),
      signal: new AbortController().signal,
    });
    await expect(sent).rejects.toMatchObject({ code: 'EIO', message: 'file 0 shrank' });
    await handle.close();
  });
});

describe('observePrefix', () => {
  it('shows exactly the first `length` bytes', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 5);
    const { handle, source } = await fileWith(data);
    const seen: Buffer[] = [];
    await observePrefix(source.read, 1_500_000, (chunk) => seen.push(Buffer.from(chunk)));
    await handle.close();
    expect(sha256(Buffer.concat(seen))).toBe(sha256(data.subarray(0, 1_500_000)));
  });

  it('is EIO when the file is shorter than the prefix', async () => {
    const { handle, source } = await fileWith(randomBytes(10));
    await expect(observePrefix(source.read, 11, () => {})).rejects.toMatchObject({ code: 'EIO' });
    await handle.close();
  });
});
