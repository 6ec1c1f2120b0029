import { describe, expect, it } from 'vitest';
import {
  escapeWord,
  splitCommands,
  splitWords,
  WordsError,
  wordsBeforeCursor,
} from '../src/words.js';

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

  it.each(['plain', 'a b', 'it\'s "quoted"', 'back\\slash', 'semi;colon', 'tab\there'])(
    'escapeWord(%j) reads back as one word',
    (word) => {
      expect(splitWords(`get ${escapeWord(word)}`)).toEqual(['get', word]);
    },
  );
});

describe('-c "cmd; cmd"', () => {
  it.each([
    ['ls', ['ls']],
    ['ls; get a.txt', ['ls', 'get a.txt']],
    ['  ls ;; pwd ; ', ['ls', 'pwd']],
    ['get "a;b.txt"; ls', ['get "a;b.txt"', 'ls']],
    ["put 'x; y'", ["put 'x; y'"]],
    ['get a\\;b', ['get a\\;b']],
    ['get "say \\"hi;\\""; ls', ['get "say \\"hi;\\""', 'ls']],
    ['ls\npwd', ['ls', 'pwd']],
    ['', []],
  ])('%j → %j', (text, commands) => {
    expect(splitCommands(text)).toEqual(commands);
  });

  it('keeps quoting for the word splitter', () => {
    const [first] = splitCommands('get "a;b c.txt" local; ls');
    expect(splitWords(first!)).toEqual(['get', 'a;b c.txt', 'local']);
  });

  it('refuses an unterminated quote', () => {
    expect(() => splitCommands('get "a; ls')).toThrow(WordsError);
  });
});

describe('the word under the cursor (completion)', () => {
  it.each([
    ['', [], '', ''],
    ['ge', [], 'ge', 'ge'],
    ['get ', ['get'], '', ''],
    ['get my\\ fi', ['get'], 'my fi', 'my\\ fi'],
    ['get "my fi', ['get'], 'my fi', '"my fi'],
    ['get -r do', ['get', '-r'], 'do', 'do'],
  ])('%j', (line, done, current, raw) => {
    expect(wordsBeforeCursor(line)).toMatchObject({ done, current, raw });
  });
});
