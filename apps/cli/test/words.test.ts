import { describe, expect, it } from 'vitest';
import { splitWords, WordsError } from '../src/words.js';

describe('ftp> command line words', () => {
  it.each([
    ['ls', ['ls']],
    ['  get   a.txt  ', ['get', 'a.txt']],
    ['get "my file.txt"', ['get', 'my file.txt']],
    ["put 'it''s'", ['put', 'its']],
    ['put my\\ file.txt', ['put', 'my file.txt']],
    ['get "a \\"quoted\\" name"', ['get', 'a "quoted" name']],
    ["get 'back\\slash'", ['get', 'back\\slash']],
    ['get ""', ['get', '']],
    ['get résumé.pdf', ['get', 'résumé.pdf']],
    ['', []],
    ['\t', []],
  ])('%j → %j', (line, words) => {
    expect(splitWords(line)).toEqual(words);
  });

  it('refuses an unterminated quote', () => {
    expect(() => splitWords('get "open')).toThrow(WordsError);
  });
});
