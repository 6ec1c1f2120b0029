// The folder opens a batch's uploads share (shared-folders.ts, docs/protocol.md §6.7, §9):
// one checked open for the uploads that hold a folder at once, a fresh open and check once
// nobody holds it, and a failed open failing each sharer without being kept.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfinedRoot, type FolderAccess } from '../src/confinement.js';
import { sharedFolders } from '../src/shared-folders.js';
import { useFixture } from './fixture.js';

const fx = useFixture();

/** A real root's folder access, counting the opens it does. */
class CountingRoot extends ConfinedRoot {
  opens = 0;
  access(): FolderAccess {
    const real = this.folderAccess();
    return {
      open: (segments) => {
        this.opens++;
        return real.open(segments);
      },
      openHere: (segments) => {
        this.opens++;
        return real.openHere(segments);
      },
      within: (segments, work) => {
        this.opens++;
        return real.within(segments, work);
      },
    };
  }
}

describe('sharedFolders', () => {
  it('opens a folder once for the uploads of a group that hold it together', async () => {
    const root = await fx.tempDir();
    await mkdir(join(root, 'a'));
    await mkdir(join(root, 'b'));
    const counting = new CountingRoot(root);
    const group = {};
    const folders = Array.from({ length: 3 }, () => sharedFolders(counting.access(), group));
    const held = await Promise.all([
      ...folders.map((access) => access.open(['a'])),
      folders[0]!.open(['b']),
    ]);
    expect(counting.opens).toBe(2);
    expect(new Set(held.slice(0, 3).map((folder) => folder.at)).size).toBe(1);
    // Entries are reached through the one descriptor.
    await writeFile(held[1]!.entry('x.txt'), 'via the shared folder');
    expect(await readFile(join(root, 'a', 'x.txt'), 'utf8')).toBe('via the shared folder');
    for (const folder of held) await folder.close();
    // Nobody holds it now: the next open opens (and checks) it again.
    await sharedFolders(counting.access(), group).within(['a'], async () => {});
    expect(counting.opens).toBe(3);
    // Another group never shares with this one.
    const other = await sharedFolders(counting.access(), {}).open(['a']);
    const mine = await sharedFolders(counting.access(), group).open(['a']);
    expect(counting.opens).toBe(5);
    await other.close();
    await mine.close();
  });

  it('fails every sharer of a failed open and does not keep it', async () => {
    const root = await fx.tempDir();
    const counting = new CountingRoot(root);
    const group = {};
    const tries = [0, 1].map(() => sharedFolders(counting.access(), group).open(['missing']));
    for (const attempt of tries) await expect(attempt).rejects.toMatchObject({ code: 'ENOENT' });
    expect(counting.opens).toBe(1);
    await mkdir(join(root, 'missing'));
    const folder = await sharedFolders(counting.access(), group).open(['missing']);
    expect(counting.opens).toBe(2);
    await folder.close();
  });
});
