// Terminal safety for text that came off the network (docs/protocol.md §9.1): server-supplied
// names, codes and messages are shown with every control character escaped, so a terminal
// never interprets them (no window titles set by ESC ] …, no fake lines made with \r\n, no
// text reversed by a bidi override). Pure: the CLI and the TUI call it before they print.

/**
 * The code points §9 refuses in names and `escapeControls` never lets through: C0 controls
 * (U+0000–U+001F), DEL (U+007F), C1 controls (U+0080–U+009F), and the bidi embedding,
 * override and isolate controls (U+202A–U+202E, U+2066–U+2069). One home for the set, so the
 * name rule and the sanitizer cannot drift apart.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point.
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point.
const CONTROL_CHARACTERS_GLOBAL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** True when `text` holds a character of CONTROL_CHARACTERS. */
export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}

/**
 * `text` with each character of CONTROL_CHARACTERS replaced by its escaped spelling:
 * `\x1b` for C0, DEL and C1 (two lowercase hex digits), `\u202e` for the bidi controls.
 * Everything else, ordinary Unicode included, is left as it is. `\t`, `\r` and `\n` are
 * escaped too: inside a server-supplied name or message they could only forge output.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROL_CHARACTERS_GLOBAL, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
