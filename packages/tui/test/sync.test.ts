// The TUI's "sync this folder" (S): the Controller plans a sync (a dry run, for the dialog)
// and runs it against a real server; the dialog shows the plan before anything moves.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dialogFor } from '../src/dialogs.js';
import { DEFAULT_BINDINGS } from '../src/keys.js';
import { createFixture } from './fixture.js';

const fixture = createFixture();

describe('sync this folder', () => {
  it('plans without changing anything, then copies only what differs', async () => {
    const { port, root } = await fixture.startServer();
    const local = await fixture.tempDir();
    await mkdir(join(local, 'docs'));
    await writeFile(join(local, 'docs', 'a.txt'), 'a');
    await writeFile(join(local, 'b.txt'), 'b');
    await mkdir(join(root, 'site'));
    const controller = await fixture.controller(port);

    const plan = await controller.sync({ direction: 'put', local, remote: 'site', dryRun: true });
    expect(plan.summary).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
    await expect(readFile(join(root, 'site', 'b.txt'))).rejects.toMatchObject({ code: 'ENOENT' });

    const done = await controller.sync({ direction: 'put', local, remote: 'site' });
    expect(done.summary).toMatchObject({ created: 3 });
    expect(await readFile(join(root, 'site', 'docs', 'a.txt'), 'utf8')).toBe('a');

    const again = await controller.sync({ direction: 'get', local, remote: 'site', dryRun: true });
    expect(again.summary).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
  });

  it('is bound to S in a pane, and its dialog shows the plan', () => {
    expect(DEFAULT_BINDINGS.find((b) => b.command === 'sync')).toMatchObject({
      scope: 'pane',
      keys: ['S'],
    });
    const dialog = dialogFor({
      kind: 'confirmSync',
      direction: 'put',
      local: '/home/me/site',
      remote: 'www',
      summary: '1 to create, 0 to update, 4 unchanged, 2 B to move',
      actions: ['create new.txt (missing)'],
      empty: false,
    });
    expect(dialog?.title).toBe('Sync /home/me/site → /www?');
    expect(dialog?.lines).toContain('  create new.txt (missing)');
    expect(dialog?.yes).toBe('sync');
  });
});
