// The TUI's side of issue 11: a full local disk fails the transfer with one plain error and
// the TUI keeps running (the Controller against a real server, downloading into a REAL 2 MiB
// tmpfs; we run as root), and server-supplied names and messages are shown escaped in the
// panes, the queue and the message line (docs/protocol.md §9.1).
import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import type { Entry } from '@cftp/client';
import { hasControlCharacters } from '@cftp/protocol';
import { cleanup, render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { FilePane } from '../src/FilePane.js';
import { newPane } from '../src/state.js';
import { Toast } from '../src/Toast.js';
import type { TransferItem } from '../src/transfers.js';
import { createFixture, writeRandom } from './fixture.js';

const run = promisify(execFile);
const fixture = createFixture();
afterEach(cleanup);

/** Resolves with the next finished item of `id`. */
function finished(
  transfers: { on(event: 'finished', listener: (item: TransferItem) => void): unknown },
  id: number,
): Promise<TransferItem> {
  return new Promise((resolve) => {
    transfers.on('finished', (item) => {
      if (item.id === id) resolve(item);
    });
  });
}

describe('a full local disk in the TUI (a real 2 MiB tmpfs)', () => {
  it('fails the download with a plain ENOSPC, removes the partial, and goes on', async () => {
    const { root, port } = await fixture.startServer();
    await writeRandom(join(root, 'big.bin'), 3 * 1024 * 1024);
    await mkdir(join(root, 'many'));
    for (let i = 0; i < 150; i++) await writeRandom(join(root, 'many', `f${i}.bin`), 16 * 1024);
    await writeFile(join(root, 'small.txt'), 'fits\n');
    const disk = await fixture.tempDir();
    await run('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk]);
    try {
      const controller = await fixture.controller(port);
      const entries = await controller.list('remote', '');
      const pick = (name: string) => entries.filter((e) => e.name === name);

      // One big file, then a folder of many (batches): each fails on its own.
      for (const name of ['big.bin', 'many']) {
        const [item] = (await controller.copy('remote', '', pick(name), disk)).queued;
        if (item === undefined) throw new Error(`nothing queued for ${name}`);
        const failed = await finished(controller.transfers, item.id);
        expect(failed.state, name).toBe('failed');
        expect(failed.error, name).toMatchObject({ code: 'ENOSPC' });
        expect(failed.error?.message, name).toMatch(/^local disk full while writing `.*`$/);
        // No hidden partial holds the small disk full.
        const left = await readdir(disk, { recursive: true });
        expect(
          left.filter((n) => n.endsWith('.part')),
          name,
        ).toEqual([]);
        await run('rm', ['-rf', join(disk, 'many')]);
      }

      // Still connected, and the next transfer works.
      expect(controller.status.phase).toBe('connected');
      const [small] = (await controller.copy('remote', '', pick('small.txt'), disk)).queued;
      if (small === undefined) throw new Error('nothing queued');
      expect((await finished(controller.transfers, small.id)).state).toBe('done');
    } finally {
      await run('umount', [disk]);
    }
  });
});

describe('server text in the TUI is shown escaped (§9.1)', () => {
  function frameOf(element: ReactElement): string {
    const frame = render(element).lastFrame();
    if (frame === undefined) throw new Error('Ink rendered no frame');
    return stripVTControlCharacters(frame);
  }
  const AT = new Date(2026, 10, 25, 20, 15).getTime();
  const evil: Entry = { name: 'x\u001b]0;title\u0007-\u202eexe', type: 'file', size: 1, mtime: AT };

  it('a pane shows a name with controls as escapes, and the error line too', () => {
    const pane = { ...newPane('remote', ''), loading: false, entries: [evil], error: 'E\u009b31m' };
    const frame = frameOf(
      <FilePane pane={pane} title="Remote" focused width={70} height={8} now={AT} />,
    );
    expect(frame).toContain('x\\x1b]0;title\\x07-\\u202eexe');
    expect(frame).toContain('E\\x9b31m');
    expect(hasControlCharacters(frame.replaceAll('\n', ''))).toBe(false);
  });

  it('the message line escapes a forged line and a title sequence', () => {
    const frame = frameOf(
      <Toast message={{ level: 'error', text: 'no \u001b]0;t\u0007\r\nerror: FAKE' }} />,
    );
    expect(frame).toContain('error: no \\x1b]0;t\\x07\\x0d\\x0aerror: FAKE');
    expect(frame.split('\n')).toHaveLength(1);
  });
});
