// FileSink: every byte on disk in order once the stream finishes, and the handle closed
// (after the final fsync, or when destroyed), or with keepOpen handed over to the owner.
import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CftpError } from '@cftp/protocol';
import { describe, expect, it } from 'vitest';
import { FileSink, localIoError, splitInto } from '../src/index.js';
import { sha256, useTemp } from './helpers.js';

const temp = useTemp();

describe('FileSink', () => {
  it('writes every chunk, in order, and closes the handle after the final sync', async () => {
    const path = join(await temp.dir(), 'out.bin');
    const handle = await open(path, 'w');
    const chunks = Array.from({ length: 200 }, (_, i) => randomBytes(1 + ((i * 7919) % 70_000)));
    await pipeline(Readable.from(chunks), new FileSink(handle));
    const written = await readFile(path);
    expect(written.byteLength).toBe(chunks.reduce((n, c) => n + c.byteLength, 0));
    expect(sha256(written)).toBe(sha256(Buffer.concat(chunks)));
    expect(handle.fd).toBe(-1); // closed by the sink
  });

  it('writes an empty file when nothing comes', async () => {
    const path = join(await temp.dir(), 'empty.bin');
    await pipeline(Readable.from([]), new FileSink(await open(path, 'w')));
    expect((await readFile(path)).byteLength).toBe(0);
  });

  it('closes the handle when destroyed before it finishes', async () => {
    const path = join(await temp.dir(), 'half.bin');
    const handle = await open(path, 'w');
    const sink = new FileSink(handle);
    sink.write(Buffer.from('some'));
    const closed = new Promise<void>((resolve) => sink.once('close', () => resolve()));
    sink.destroy();
    await closed;
    expect(handle.fd).toBe(-1);
  });

  it('keepOpen: hands the open handle over after the final sync; destroyed, closes it', async () => {
    const path = join(await temp.dir(), 'kept.bin');
    const handle = await open(path, 'w', 0o600);
    const sink = new FileSink(handle, { keepOpen: true });
    await pipeline(Readable.from([Buffer.from('kept')]), sink);
    await new Promise<void>((resolve) => (sink.closed ? resolve() : sink.once('close', resolve)));
    expect(handle.fd).toBeGreaterThan(-1); // the owner's now: still usable
    await handle.chmod(0o644);
    expect((await handle.stat()).mode & 0o777).toBe(0o644);
    await handle.close();
    expect(await readFile(path, 'utf8')).toBe('kept');

    const other = await open(join(await temp.dir(), 'gone.bin'), 'w');
    const failed = new FileSink(other, { keepOpen: true });
    failed.write(Buffer.from('half'));
    const closed = new Promise<void>((resolve) => failed.once('close', () => resolve()));
    failed.destroy();
    await closed;
    expect(other.fd).toBe(-1);
  });

  it('fails with the file error when the handle cannot write', async () => {
    const path = join(await temp.dir(), 'readonly.bin');
    await open(path, 'w').then((h) => h.close());
    const sink = new FileSink(await open(path, 'r'));
    await expect(pipeline(Readable.from([Buffer.from('x')]), sink)).rejects.toMatchObject({
      code: 'EBADF',
    });
  });

  it('with a path: a full disk (/dev/full, a real ENOSPC) is the one plain local error', async () => {
    const sink = new FileSink(await open('/dev/full', 'w'), { path: 'big.bin' });
    const error = await pipeline(Readable.from([randomBytes(64 * 1024)]), sink).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(CftpError);
    expect(error).toMatchObject({
      code: 'ENOSPC',
      path: 'big.bin',
      message: 'local disk full while writing `big.bin`',
      cause: { code: 'ENOSPC' },
    });
  });

  it('with a path: any other write failure is coded by the OS-error table', async () => {
    const path = join(await temp.dir(), 'readonly.bin');
    await open(path, 'w').then((h) => h.close());
    const sink = new FileSink(await open(path, 'r'), { path: 'readonly.bin' });
    await expect(pipeline(Readable.from([Buffer.from('x')]), sink)).rejects.toMatchObject({
      code: 'EIO', // EBADF is not in the table: "other storage error"
      path: 'readonly.bin',
      cause: { code: 'EBADF' },
    });
  });

  it('a batch into sinks on a full disk rejects with the local error, never an unhandled one', async () => {
    const sinks = [0, 1, 2].map(
      async (i) => new FileSink(await open('/dev/full', 'w'), { path: `f${i}` }),
    );
    const targets = (await Promise.all(sinks)).map((stream) => ({ size: 32 * 1024, stream }));
    const source = Readable.from([randomBytes(96 * 1024)]);
    await expect(splitInto(source, targets, () => {})).rejects.toMatchObject({ code: 'ENOSPC' });
    for (const target of targets) target.stream.destroy();
  });
});

describe('localIoError', () => {
  const os = (code: string) => Object.assign(new Error(`${code}: failed`), { code });

  it.each([
    ['ENOSPC', 'ENOSPC', 'local disk full while writing `a`'],
    ['EDQUOT', 'ENOSPC', 'local disk full while writing `a` (disk quota exceeded)'],
    ['EIO', 'EIO', 'local input/output error while writing `a`'],
    ['EACCES', 'EACCES', 'local permission denied while writing `a`'],
    ['EROFS', 'EACCES', 'local read-only file system while writing `a`'],
  ])('%s is %s: "%s"', (errno, code, message) => {
    expect(localIoError(os(errno), 'a', 'writing')).toMatchObject({ code, message, path: 'a' });
  });

  it('passes a CftpError through unchanged', () => {
    const error = new CftpError('EINTEGRITY', 'digest mismatch');
    expect(localIoError(error, 'a', 'writing')).toBe(error);
  });
});
