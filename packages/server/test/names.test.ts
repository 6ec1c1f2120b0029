// Names on disk (docs/protocol.md §6.1 "Names on disk", §9): against a real folder whose
// odd names are created with Buffer names, so every byte is exactly as on disk. Each listed
// name can be fetched by the name listed; names the wire cannot carry are left out, counted
// in done.skipped, and reported once through the server's listingSkipped event.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry } from '@cftp/protocol';
import type { ListingSkippedEvent } from '@cftp/server';
import { describe, expect, it } from 'vitest';
import { useFixture } from './fixture.js';
import { type Control, openData, readAll } from './wire.js';

const fx = useFixture();

const NFC = 'caf\u00e9.txt';
const NFD = 'cafe\u0301.txt';

/** Writes a file whose name is exactly these bytes. */
async function writeRaw(root: string, name: Buffer | string, content: string): Promise<void> {
  const path = Buffer.concat([Buffer.from(`${root}/`), Buffer.from(name)]);
  await writeFile(path, content);
}

async function list(control: Control, path = '') {
  const id = control.newId();
  control.send({ type: 'list', id, path });
  const ready = await control.expect(id, 'ready');
  const body = await readAll(fx.track(await openData(ready.port, ready.token)));
  const done = await control.expect(id, 'done');
  const entries = body
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Entry);
  return { entries, done };
}

async function fetchText(control: Control, path: string): Promise<string> {
  const id = control.newId();
  control.send({ type: 'get', id, path });
  const ready = await control.expect(id, 'ready');
  const body = await readAll(fx.track(await openData(ready.port, ready.token)));
  await control.expect(id, 'done');
  return body.toString('utf8');
}

describe('docs/protocol.md §6.1, §9: a name stored in NFD is served by its NFC form', () => {
  it('lists it as NFC; get, stat, delete, rename and a folder on the way all reach it', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, NFD), 'decomposed');
    await mkdir(join(root, 'r\u0065\u0301sum\u0065\u0301'));
    await writeFile(join(root, 'r\u0065\u0301sum\u0065\u0301', 'in.txt'), 'inside');
    const control = await fx.control(port);

    const { entries, done } = await list(control);
    expect(entries.map((e) => e.name).sort()).toEqual([NFC, 'r\u00e9sum\u00e9'].sort());
    expect(done.skipped).toBeUndefined();
    expect(await fetchText(control, NFC)).toBe('decomposed');
    expect(await fetchText(control, NFD)).toBe('decomposed'); // parsePath makes it NFC

    const stat = control.newId();
    control.send({ type: 'stat', id: stat, path: NFC });
    expect((await control.expect(stat, 'ok')).entry).toMatchObject({ name: NFC, size: 10 });

    // A folder on the way, and listing into it.
    expect((await list(control, 'r\u00e9sum\u00e9')).entries.map((e) => e.name)).toEqual([
      'in.txt',
    ]);
    expect(await fetchText(control, 'r\u00e9sum\u00e9/in.txt')).toBe('inside');

    const rename = control.newId();
    control.send({ type: 'rename', id: rename, from: NFC, to: 'plain.txt' });
    await control.expect(rename, 'ok');
    expect((await readdir(root)).sort()).toEqual(['plain.txt', 'r\u0065\u0301sum\u0065\u0301']);

    await writeFile(join(root, NFD), 'again');
    const del = control.newId();
    control.send({ type: 'delete', id: del, path: NFC });
    await control.expect(del, 'ok');
    expect(await readdir(root)).not.toContain(NFD);
  });

  it('a put or mkdir of the NFC name stays EEXIST: only existing names are resolved (§6.3)', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, NFD), 'old');
    const control = await fx.control(port);
    for (const message of [
      { type: 'put', path: NFC, size: 3 },
      { type: 'mkdir', path: NFC },
    ] as const) {
      const id = control.newId();
      control.send({ ...message, id });
      expect(await control.errorCode(id)).toBe('EEXIST');
    }
    expect(await readdir(root)).toEqual([NFD]);
  });

  it('rule: the NFC entry wins over another form; among other forms, the first by bytes', async () => {
    const { port, root } = await fx.start();
    // "é" as NFC and NFD: the exact NFC name wins; the NFD one is left out, counted.
    await writeFile(join(root, NFC), 'composed');
    await writeFile(join(root, NFD), 'decomposed');
    // "Å": U+212B ANGSTROM SIGN and A + U+030A both normalise to U+00C5. By UTF-8 bytes,
    // "A\u030a" (41 …) sorts before "\u212b" (e2 …): it is the one served.
    await writeFile(join(root, 'A\u030a'), 'combining');
    await writeFile(join(root, '\u212b'), 'angstrom');
    const control = await fx.control(port);
    const { entries, done } = await list(control);
    expect(entries.map((e) => e.name).sort()).toEqual(['\u00c5', NFC].sort());
    expect(done.skipped).toBe(2);
    expect(await fetchText(control, NFC)).toBe('composed');
    expect(await fetchText(control, '\u00c5')).toBe('combining');
  });
});

describe('docs/protocol.md §6.1, §9: names the wire cannot carry are left out and counted', () => {
  it('control characters, \\, non-UTF-8 bytes, C1 and bidi controls: skipped, logged once', async () => {
    const { server, port, root } = await fx.start();
    const events: ListingSkippedEvent[] = [];
    server.on('listingSkipped', (event) => events.push(event));
    await mkdir(join(root, 'odd'));
    const odd = join(root, 'odd');
    await writeRaw(odd, 'ok.txt', 'fine');
    await writeRaw(odd, 'esc\x1b]0;title\x07', 'x');
    await writeRaw(odd, 'line\nbreak', 'x');
    await writeRaw(odd, 'back\\slash', 'x');
    await writeRaw(odd, Buffer.from([0x61, 0xff, 0x62]), 'x'); // not UTF-8
    await writeRaw(odd, 'c1\u0085name', 'x');
    await writeRaw(odd, 'bidi\u202egnp.exe', 'x');
    await writeRaw(odd, 'C:drive', 'x'); // §9 refuses a path that starts with a drive letter
    await writeRaw(odd, '.x.cftp-0123456789abcdef.part', 'temp'); // not listed, not counted
    expect(await readdir(odd, { encoding: 'buffer' })).toHaveLength(9);
    const control = await fx.control(port);

    const { entries, done } = await list(control, 'odd');
    expect(entries.map((e) => e.name)).toEqual(['ok.txt']);
    expect(done).toMatchObject({ count: 1, skipped: 7 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ path: 'odd', skipped: 7 });
    expect(events[0]!.session.remoteAddress).toBe('127.0.0.1');

    // The folder still works as a whole: every listed name can be fetched.
    for (const entry of entries) expect(await fetchText(control, `odd/${entry.name}`)).toBe('fine');
  });

  it('a folder without such names has no skipped field and logs nothing', async () => {
    const { server, port, root } = await fx.start();
    let warned = 0;
    server.on('listingSkipped', () => warned++);
    await writeFile(join(root, 'a.txt'), 'a');
    const control = await fx.control(port);
    const { done } = await list(control);
    expect(done).not.toHaveProperty('skipped');
    expect(warned).toBe(0);
  });
});

describe('docs/protocol.md §6.3, §8, §9: temporary names are reserved', () => {
  const temp = '.up.bin.cftp-0123456789abcdef.part';

  it('creating one is EBADNAME: put, mkdir, putmany, the to of rename', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'src.txt'), 's');
    const control = await fx.control(port);
    const codes: string[] = [];
    for (const message of [
      { type: 'put', path: temp, size: 1 },
      { type: 'put', path: `sub/${temp}`, size: 1 },
      { type: 'mkdir', path: temp },
      { type: 'putmany', files: [{ path: temp, size: 1 }] },
      { type: 'rename', from: 'src.txt', to: temp },
    ] as const) {
      const id = control.newId();
      control.send({ ...message, id } as Parameters<Control['send']>[0]);
      codes.push(await control.errorCode(id));
    }
    expect(codes).toEqual(['EBADNAME', 'EBADNAME', 'EBADNAME', 'EBADNAME', 'EBADNAME']);
    expect(await readdir(root)).toEqual(['src.txt']);
  });

  it('reading one stays ENOENT, and so does a temp name as a folder on the way', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, temp), 'in progress');
    const control = await fx.control(port);
    const codes: string[] = [];
    for (const message of [
      { type: 'get', path: temp },
      { type: 'stat', path: temp },
      { type: 'delete', path: temp },
      { type: 'put', path: `${temp}/x`, size: 1 },
    ] as const) {
      const id = control.newId();
      control.send({ ...message, id } as Parameters<Control['send']>[0]);
      codes.push(await control.errorCode(id));
    }
    expect(codes).toEqual(['ENOENT', 'ENOENT', 'ENOENT', 'ENOENT']);
  });
});
