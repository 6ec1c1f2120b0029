import { describe, expect, it } from 'vitest';
import { hasGlobMagic, matchNames, splitPattern } from '../src/glob.js';

const names = ['a.txt', 'b.txt', 'c.log', '.hidden.txt', 'data-01.csv', 'data-10.csv', 'ü.txt'];
const entries = names.map((name) => ({ name }));

describe('glob filtering of remote names', () => {
  it.each([
    ['*.txt', ['a.txt', 'b.txt', 'ü.txt']],
    ['?.txt', ['a.txt', 'b.txt', 'ü.txt']],
    ['data-0?.csv', ['data-01.csv']],
    ['data-[01]*.csv', ['data-01.csv', 'data-10.csv']],
    ['*.{log,csv}', ['c.log', 'data-01.csv', 'data-10.csv']],
    ['.*', ['.hidden.txt']],
    ['*.pdf', []],
  ])('%s matches %j', (glob, expected) => {
    expect(matchNames(entries, glob).map((e) => e.name)).toEqual(expected);
  });

  it('splits the folder from the pattern', () => {
    expect(splitPattern('*.txt')).toEqual({ dir: '', glob: '*.txt' });
    expect(splitPattern('logs/2025/*.gz')).toEqual({ dir: 'logs/2025/', glob: '*.gz' });
  });

  it('refuses a pattern in a folder name', () => {
    expect(() => splitPattern('*/a.txt')).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
  });

  it('tells patterns from plain names', () => {
    expect(hasGlobMagic('a.txt')).toBe(false);
    expect(hasGlobMagic('my file (1).txt')).toBe(false);
    for (const p of ['*', 'a?', '[ab]', '{a,b}']) expect(hasGlobMagic(p)).toBe(true);
  });
});
