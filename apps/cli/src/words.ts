// Splits `ftp>` command lines into words (spaces separate, quotes group, backslash escapes),
// a `-c` argument into command lines (`;` separates, outside quotes), and a half-typed line
// into what tab completion needs. A grammar this small is not worth a dependency; the argv
// parser is commander.

export class WordsError extends Error {}

interface Scan {
  words: string[];
  /** The word being typed at the end of the line (empty when the line ends in a space). */
  last: string;
  /** Whether the line ends inside a word (so `last` is a word, possibly empty: `""`). */
  inWord: boolean;
  quote: '"' | "'" | undefined;
  /** Where the word being typed starts in the line. */
  start: number;
}

function scan(line: string): Scan {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (!inWord && quote === undefined && ch !== ' ' && ch !== '\t') start = i;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  return { words, last: word, inWord, quote, start: inWord ? start : line.length };
}

export function splitWords(line: string): string[] {
  const { words, last, inWord, quote } = scan(line);
  if (quote !== undefined) throw new WordsError(`unterminated ${quote} quote`);
  return inWord ? [...words, last] : words;
}

/**
 * For completion: the finished words before the cursor, the word being typed (unquoted) and
 * the raw text it has in the line (what a completion replaces).
 */
export function wordsBeforeCursor(line: string): {
  done: string[];
  current: string;
  raw: string;
  quote: '"' | "'" | undefined;
} {
  const { words, last, inWord, quote, start } = scan(line);
  return { done: words, current: inWord ? last : '', raw: line.slice(start), quote };
}

/** A word written so that `splitWords` reads it back unchanged (backslash before specials). */
export function escapeWord(word: string): string {
  return word.replace(/[\s"'\\;]/g, '\\$&');
}

/**
 * Splits `cmd; cmd` (the `-c` argument) into command lines at each `;` that is outside
 * quotes and not escaped; the quoting itself is left for `splitWords`.
 */
export function splitCommands(text: string): string[] {
  const commands: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote !== undefined) {
      current += ch;
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[++i];
    } else if (ch === ';' || ch === '\n') {
      commands.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (quote !== undefined) throw new WordsError(`unterminated ${quote} quote`);
  commands.push(current.trim());
  return commands.filter((command) => command !== '');
}
