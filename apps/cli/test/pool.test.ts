import { describe, expect, it } from 'vitest';
import { runPool } from '../src/pool.js';

/** A promise and its resolve, to finish work items in a chosen order. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('runPool', () => {
  it('keeps at most `limit` in flight and runs every item once', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await runPool(
      Array.from({ length: 40 }, (_, i) => i),
      8,
      async (item) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        seen.push(item);
        inFlight--;
      },
    );
    expect(peak).toBe(8);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('starts nothing after a failure, lets the running ones finish, throws the first error', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const slow = gate();
    const run = runPool([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      if (item === 0) {
        await slow.opened;
        finished.push(item);
        return;
      }
      throw new Error(`item ${item} failed`);
    });
    await new Promise((resolve) => setImmediate(resolve));
    slow.open();
    await expect(run).rejects.toThrow('item 1 failed');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([0]);
  });

  it('does nothing for no items', async () => {
    let calls = 0;
    await runPool([], 8, async () => {
      calls++;
    });
    expect(calls).toBe(0);
  });
});
