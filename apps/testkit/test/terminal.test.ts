// Testkit's pty runner: a real program in a real pseudo-terminal. A check never sees half
// of a frame that the program bracketed in synchronized output (DEC mode 2026), however the
// pty splits it; output without brackets is checked after every write.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TerminalRun } from '../src/index.js';

let dir = '';
let runs: TerminalRun[] = [];
afterEach(async () => {
  await Promise.all(runs.map((run) => run.stop()));
  runs = [];
});
afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** Runs `source` (an ES module) under this Node in a 40×10 pty. */
async function run(source: string): Promise<TerminalRun> {
  if (dir === '') dir = await mkdtemp(join(tmpdir(), 'cftp-terminal-'));
  const file = join(dir, `program-${runs.length}.mjs`);
  await writeFile(file, source);
  const started = new TerminalRun(file, [], { cwd: dir, cols: 40, rows: 10 });
  runs.push(started);
  return started;
}

/** Lets every pending callback and I/O event run once. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('TerminalRun', () => {
  it('waits for a synchronized frame to close before a check sees it', async () => {
    // On a first key half a frame, on a second the rest and the closing bracket.
    const program = await run(`
      process.stdout.write('ready ');
      process.stdin.setRawMode(true);
      let keys = 0;
      process.stdin.on('data', () => {
        keys += 1;
        if (keys === 1) process.stdout.write('\\u001b[?2026htop half');
        if (keys === 2) {
          process.stdout.write('\\r\\nbottom half\\u001b[?2026l');
          setTimeout(() => process.exit(0), 50);
        }
      });
    `);
    await program.shows('ready');
    let seen = false;
    const top = program.shows('top half').then(() => {
      seen = true;
    });
    program.press('a');
    // Wait until the half frame has reached the terminal's buffer (read below the runner).
    await new Promise<void>((resolve) => {
      const listener = program.pty.onData(() => {
        if (program.raw.includes('top half')) {
          listener.dispose();
          resolve();
        }
      });
      if (program.raw.includes('top half')) resolve();
    });
    await program.drained();
    await turn();
    expect(program.screen()).toContain('top half');
    expect(seen).toBe(false); // the frame is still open
    program.press('b');
    const whole = await program.shows('bottom half');
    await top;
    expect(seen).toBe(true);
    expect(whole).toMatch(/top half\n\s*bottom half/);
  });

  it('checks output without brackets after every write, and tells whole frames to listeners', async () => {
    const program = await run(`
      process.stdout.write('ftp> ');
      process.stdin.setRawMode(true);
      process.stdin.once('data', () => {
        process.stdout.write('\\u001b[?2026hframe one\\u001b[?2026l');
        setTimeout(() => process.exit(0), 50);
      });
    `);
    const frames: string[] = [];
    program.onFrame((screen) => frames.push(screen));
    await program.shows(/^ftp> $/m);
    program.press('x');
    await program.shows('frame one');
    expect(frames.at(-1)).toContain('frame one');
    expect((await program.exited).exitCode).toBe(0);
  });
});
