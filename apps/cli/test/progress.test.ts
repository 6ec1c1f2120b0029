import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JsonOutput } from '../src/output.js';
import { JsonProgress, progressLine, RateMeter, TerminalProgress } from '../src/progress.js';

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
