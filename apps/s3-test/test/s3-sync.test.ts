// `cftp sync` with a server on S3 storage (issues 16 and 17): the server's `tree` walks the
// bucket through listings (lazy below the top: no folder check per folder, docs/server.md
// "S3 storage"), so a tree goes up, a second run moves nothing, a change and a removal are
// carried over, and the tree comes back down the same, bytes and mtimes.
import { mkdir, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, runCftp, sha256File, writeRandom } from '@cftp/testkit';
import { describe, expect, it } from 'vitest';
import { keysUnder, useS3Server } from './s3-helpers.js';

const s3 = useS3Server('sync');

/** `cftp sync` (plaintext, as the S3 test servers run) from `cwd`. */
function sync(args: string[], cwd: string) {
  return runCftp(['sync', '--insecure-plaintext', ...args], { cwd });
}

/** Every file below `top`, relative, with its digest and mtime. */
async function files(top: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(top, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(top.length + 1)] = `${await sha256File(path)} ${(await stat(path)).mtimeMs}`;
  }
  return out;
}

describe('cftp sync against S3 storage', () => {
  it('uploads a tree, moves nothing the second time, carries a change and a removal, and downloads it back the same', async () => {
    const here = await makeTempDir('cftp-s3-sync-');
    const when = new Date('2025-03-04T05:06:07.000Z');
    const names = ['top.txt', 'a/x.bin', 'a/b/c/deep.txt', 'a/b/two.txt', 'd/e.txt'];
    for (const name of names) {
      await mkdir(join(here, 'src', name, '..'), { recursive: true });
      if (name.endsWith('.bin')) await writeRandom(join(here, 'src', name), 300_000);
      else await writeFile(join(here, 'src', name), `${name}\n`);
      await utimes(join(here, 'src', name), when, when);
    }
    const port = s3.server().port;
    const remote = `127.0.0.1:${port}:/dst`;

    const first = await sync(['src', remote], here);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^0 updated, \d+ created, 0 deleted, 0 unchanged, /m);
    expect((await keysUnder(s3.prefix)).filter((key) => !key.endsWith('/')).sort()).toEqual(
      names.map((name) => `dst/${name}`).sort(),
    );

    const again = await sync(['src', remote], here);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 updated, 0 created, 0 deleted, 5 unchanged, 0 B moved');

    await writeFile(join(here, 'src', 'top.txt'), 'changed\n');
    await utimes(join(here, 'src', 'top.txt'), when, new Date('2025-03-05T00:00:00.000Z'));
    await rm(join(here, 'src', 'a', 'x.bin'));
    const changed = await sync(['--delete', 'src', remote], here);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toContain('1 updated, 0 created, 1 deleted, 3 unchanged, 8 B moved');
    expect(await keysUnder(s3.prefix)).not.toContain('dst/a/x.bin');

    const back = await sync([remote, 'back'], here);
    expect(back.code, back.stderr).toBe(0);
    expect(await files(join(here, 'back'))).toEqual(await files(join(here, 'src')));
  });
});
