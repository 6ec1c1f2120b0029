// Terminal-safe display of text that came off the network (docs/protocol.md §9.1).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTROL_CHARACTERS, escapeControls, hasControlCharacters } from '../src/index.js';

/** Every code point §9.1 escapes, listed by range, written without the code under test. */
const ESCAPED: number[] = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  0x7f,
  ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
];
const escapedSet = new Set(ESCAPED);

const controlArb = fc.constantFrom(...ESCAPED.map((code) => String.fromCodePoint(code)));
/** Any text: full Unicode (astral, lone surrogates) with controls mixed in often. */
const anyTextArb = fc.string({
  unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), controlArb),
});
/** Text with no code point of §9.1. */
const ordinaryTextArb = fc
  .string({ unit: 'binary' })
  .filter((text) => ![...text].some((char) => escapedSet.has(char.codePointAt(0)!)));

describe('docs/protocol.md §9.1: escapeControls', () => {
  it.each([
    { input: 'x/\u001b]0;title\u0007', shown: 'x/\\x1b]0;title\\x07' },
    { input: 'y/\r\nerror: FAKE', shown: 'y/\\x0d\\x0aerror: FAKE' },
    { input: 'tab\there', shown: 'tab\\x09here' },
    { input: 'nul\u0000del\u007f', shown: 'nul\\x00del\\x7f' },
    { input: 'csi\u009b31m', shown: 'csi\\x9b31m' },
    { input: 'c1 \u0080 to \u009f', shown: 'c1 \\x80 to \\x9f' },
    { input: 'invoice\u202efdp.exe', shown: 'invoice\\u202efdp.exe' },
    { input: '\u202a\u202b\u202c\u202d', shown: '\\u202a\\u202b\\u202c\\u202d' },
    {
      input: 'isolate \u2066a\u2067b\u2068c\u2069',
      shown: 'isolate \\u2066a\\u2067b\\u2068c\\u2069',
    },
  ])('shows $input escaped', ({ input, shown }) => {
    expect(escapeControls(input)).toBe(shown);
  });

  it.each([
    'report.pdf',
    'caf\u00e9/r\u00e9sum\u00e9.txt',
    '\u65e5\u672c\u8a9e \u{1f4c1} \u05e9\u05dc\u05d5\u05dd',
    '\u00a0 nbsp, \u00ff y-umlaut, \u2028 and \u2029 separators, \u200e marks',
    'back\\slash and \\x1b written out',
    '',
  ])('leaves %j as it is', (text) => {
    expect(escapeControls(text)).toBe(text);
  });

  it('never lets a code point of §9.1 through (property)', () => {
    fc.assert(
      fc.property(anyTextArb, (text) => {
        const shown = escapeControls(text);
        for (const char of shown) expect(escapedSet.has(char.codePointAt(0)!)).toBe(false);
        expect(hasControlCharacters(shown)).toBe(false);
      }),
    );
  });

  it('leaves text without those code points unchanged (property)', () => {
    fc.assert(
      fc.property(ordinaryTextArb, (text) => {
        expect(escapeControls(text)).toBe(text);
        expect(hasControlCharacters(text)).toBe(false);
      }),
    );
  });

  it('replaces each control by its own escape and keeps everything around it (property)', () => {
    fc.assert(
      fc.property(ordinaryTextArb, controlArb, ordinaryTextArb, (before, control, after) => {
        const code = control.codePointAt(0)!;
        const escaped =
          code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
        expect(escapeControls(before + control + after)).toBe(before + escaped + after);
        expect(hasControlCharacters(before + control + after)).toBe(true);
      }),
    );
  });

  it('CONTROL_CHARACTERS matches exactly the code points of §9.1 in the BMP', () => {
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      expect(CONTROL_CHARACTERS.test(String.fromCharCode(code))).toBe(escapedSet.has(code));
    }
  });
});
