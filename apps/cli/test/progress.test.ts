import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JsonOutput } from '../src/output.js';
import {
  JsonProgress,
  middleEllipsis,
  progressLine,
  RateMeter,
  TerminalProgress,
} from '../src/progress.js';

const MiB = 1024 * 1024;

function fakeTerminal(columns = 80) {
  const stream = Object.assign(new PassThrough(), { columns });
  const writes: string[] = [];
  stream.setEncoding('utf8').on('data', (chunk: string) => writes.push(chunk));
  return { stream, writes };
}

function manualClock() {
  let now = 0;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('the progress line', () => {
  it('shows percent, bytes, rate and ETA when the total is known', () => {
    expect(progressLine('get big.iso', { bytes: 50 * MiB, total: 200 * MiB }, 10 * MiB)).toBe(
      'get big.iso   25%  50.0 MiB / 200.0 MiB  10.0 MiB/s  ETA 0:15',
    );
  });
  it('shows bytes and rate alone when the total is unknown, and the note', () => {
    expect(progressLine('mget *', { bytes: 1024, total: undefined, note: '1/3 files' }, 0)).toBe(
      'mget *  1.0 KiB  0 B/s  1/3 files',
    );
  });
});

describe('rate', () => {
  it('follows the recent rate, not the average since the start', () => {
    const { clock, advance } = manualClock();
    const meter = new RateMeter(clock);
    advance(10_000);
    meter.sample(0); // ten idle seconds
    advance(1000);
    expect(meter.sample(MiB)).toBeCloseTo(MiB, -3);
    advance(4000);
    expect(meter.sample(5 * MiB)).toBeCloseTo(MiB, -3);
  });
});

describe('on a terminal', () => {
  it('redraws at most every 100 ms with cursor moves, and clears the line at the end', async () => {
    const { stream, writes } = fakeTerminal();
    const { clock, advance } = manualClock();
    const task = new TerminalProgress(stream, clock).begin('get', 'a.bin');
    task.update({ bytes: 1, total: 100 });
    advance(10);
    task.update({ bytes: 2, total: 100 }); // too soon: not drawn
    advance(100);
    task.update({ bytes: 50, total: 100 });
    task.end();
    await flush();
    const text = writes.join('');
    const drawn = writes.filter((w) => w.startsWith('get a.bin'));
    expect(drawn.map((w) => /(\d+)%/.exec(w)?.[1])).toEqual(['1', '50']);
    // readline.cursorTo(0) is CSI 1 G; clearLine(…, 1) is CSI 0 K; clearLine(…, 0) is CSI 2 K.
    expect(text).toContain('\x1b[1G');
    expect(text).toContain('\x1b[0K');
    expect(text.endsWith('\x1b[2K\x1b[1G')).toBe(true);
  });

  it('cuts the line to the terminal width', async () => {
    const { stream, writes } = fakeTerminal(30);
    const task = new TerminalProgress(stream).begin('get', 'x'.repeat(100));
    task.update({ bytes: 1, total: 2 });
    await flush();
    expect(writes.filter((w) => w.startsWith('get ')).every((w) => w.length <= 29)).toBe(true);
  });

  it('writes nothing at all when nothing was drawn', async () => {
    const { stream, writes } = fakeTerminal();
    new TerminalProgress(stream).begin('get', 'x').end();
    await flush();
    expect(writes).toEqual([]);
  });
});

describe('JSON progress events', () => {
  it('emits at most 10 a second and the last state at the end', async () => {
    const out = new PassThrough();
    let text = '';
    out.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
    });
    const { clock, advance } = manualClock();
    const task = new JsonProgress(new JsonOutput(out), clock).begin('get', '/big.iso');
    task.update({ bytes: 10, total: 100 });
    advance(50);
    task.update({ bytes: 20, total: 100 });
    advance(60);
    task.update({ bytes: 30, total: 100 });
    advance(10);
    task.update({ bytes: 100, total: 100 });
    task.end();
    await flush();
    const events = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((e) => e.bytes)).toEqual([10, 30, 100]);
    expect(events[2]).toMatchObject({
      event: 'progress',
      command: 'get',
      path: '/big.iso',
      total: 100,
      percent: 100,
    });
  });
});

describe('at 80 columns with a long name (issue 14)', () => {
  const longName = `get /${'very-long-folder-name/'.repeat(6)}the-file-you-wanted.iso`;
  const state = { bytes: 300 * MiB, total: 1000 * MiB, note: '3/9 files' };

  it('shortens the name in the middle and keeps percent, rate and ETA', () => {
    const line = progressLine(longName, state, 10 * MiB, 79);
    expect([...line].length).toBeLessThanOrEqual(79);
    expect(line).toMatch(/^get \/very-lo[^ ]*…[^ ]*wanted\.iso {2}/);
    expect(line).toContain(' 30%');
    expect(line).toContain('10.0 MiB/s');
    expect(line).toContain('ETA 1:10');
  });

  it('leaves out the note, then the sizes, before the name gets unreadable', () => {
    const mid = progressLine(longName, state, 10 * MiB, 79);
    expect(mid).not.toContain('3/9 files');
    expect(mid).toContain('300.0 MiB / 1000.0 MiB');
    const narrow = progressLine(longName, state, 10 * MiB, 40);
    expect([...narrow].length).toBeLessThanOrEqual(40);
    expect(narrow).not.toContain('/ 1000.0 MiB');
    expect(narrow).toMatch(/ 30% {2}10\.0 MiB\/s {2}ETA 1:10$/);
  });

  it('keeps a name that fits as it is', () => {
    expect(progressLine('get a.iso', state, 10 * MiB, 79)).toBe(
      'get a.iso   30%  300.0 MiB / 1000.0 MiB  10.0 MiB/s  ETA 1:10  3/9 files',
    );
  });

  it('draws that line on a terminal of 80 columns', async () => {
    const { stream, writes } = fakeTerminal(80);
    const task = new TerminalProgress(stream).begin('get', longName.slice(4));
    task.update(state);
    await flush();
    const drawn = writes.find((w) => w.startsWith('get '))!;
    expect([...drawn].length).toBeLessThanOrEqual(79);
    expect(drawn).toContain(' 30%');
    expect(drawn).toMatch(/B\/s/);
  });
});

describe('middleEllipsis', () => {
  it('keeps both ends and never splits a character', () => {
    expect(middleEllipsis('abcdefghij', 5)).toBe('ab…ij');
    expect(middleEllipsis('abcdefghij', 10)).toBe('abcdefghij');
    expect(middleEllipsis('😀😀😀😀😀😀', 4)).toBe('😀😀…😀');
    expect(middleEllipsis('abc', 1)).toBe('…');
  });
});

describe('units, ETA and the scan', () => {
  it('says small rates in B/s and KiB/s', () => {
    expect(progressLine('get a', { bytes: 10, total: 100 }, 3)).toContain('3 B/s');
    expect(progressLine('get a', { bytes: 10, total: 100 }, 2048)).toContain('2.0 KiB/s');
    expect(progressLine('get a', { bytes: 10, total: 100 }, 0)).not.toContain('MiB/s');
  });
  it('gives no ETA without a rate or when done', () => {
    expect(progressLine('get a', { bytes: 10, total: 100 }, 0)).not.toContain('ETA');
    expect(progressLine('get a', { bytes: 100, total: 100 }, 5)).not.toContain('ETA');
    expect(progressLine('get a', { bytes: 0, total: 3600 * 10 }, 10)).toContain('ETA 1:00:00');
  });
  it('shows scanning… N folders during a tree walk', () => {
    expect(progressLine('put -r tree', { bytes: 0, total: undefined, scanned: 829 }, 0)).toBe(
      'put -r tree  scanning… 829 folders',
    );
    expect(progressLine('get t', { bytes: 0, total: undefined, scanned: 1 }, 0)).toBe(
      'get t  scanning… 1 folder',
    );
  });
});

describe('a resumed transfer', () => {
  it('does not count the resumed prefix in the rate or the ETA', async () => {
    const { stream, writes } = fakeTerminal(120);
    const { clock, advance } = manualClock();
    const task = new TerminalProgress(stream, clock).begin('get', 'big.bin');
    // 512 MiB were already here: hashed in a moment, never moved.
    advance(200);
    task.update({ bytes: 512 * MiB, total: 1024 * MiB, resumed: 512 * MiB });
    advance(1000);
    task.update({ bytes: 513 * MiB, total: 1024 * MiB, resumed: 512 * MiB });
    await flush();
    const drawn = writes.filter((w) => w.startsWith('get big.bin'));
    expect(drawn[0]).toContain('0 B/s');
    expect(drawn[0]).not.toContain('ETA');
    expect(drawn[1]).toMatch(/ 50% .* (8[0-9]\d|9\d\d)\.\d KiB\/s {2}ETA /);
  });

  it('says so in JSON: the rate is of the moved bytes, the prefix is `resumed`', async () => {
    const out = new PassThrough();
    let text = '';
    out.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
    });
    const { clock, advance } = manualClock();
    const task = new JsonProgress(new JsonOutput(out), clock).begin('get', '/big.bin');
    advance(1000);
    task.update({ bytes: 1290 * MiB, total: 2048 * MiB, resumed: 1290 * MiB });
    task.end();
    await flush();
    const event = JSON.parse(text.trim().split('\n').at(-1)!);
    expect(event).toMatchObject({ bytes: 1290 * MiB, resumed: 1290 * MiB, rate: 0 });
  });
});
