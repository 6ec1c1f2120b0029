import { describe, expect, it } from 'vitest';
import { Reclaimer } from '../src/index.js';

describe('Reclaimer', () => {
  it('collects once per `everyBytes` noted, carrying nothing over', () => {
    let collections = 0;
    const r = new Reclaimer(() => collections++, 100);
    for (let i = 0; i < 9; i++) r.note(30); // 270 bytes: at 120 and 240
    expect(collections).toBe(2);
    r.note(69); // 30 + 69 = 99: not yet
    expect(collections).toBe(2);
    r.note(1);
    expect(collections).toBe(3);
  });

  it('does nothing without a collector', () => {
    expect(() => new Reclaimer(undefined, 1).note(10)).not.toThrow();
  });
});
