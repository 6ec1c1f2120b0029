// The server log's pretty formatter (docs/server.md, "Logs"): real pino records through the
// real formatter stream, read back as the lines an operator sees.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { logDuration, prettyLines, prettyStream, resolveLogFormat } from '../src/server-log.js';

/** A local time as the formatter prints it. */
function clockOf(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
}

/** A pino logger whose pretty output is collected line by line. */
function prettyLogger(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const out = { write: (text: string) => lines.push(...text.split('\n').filter((l) => l !== '')) };
  return { log: pino({ base: undefined }, prettyStream(out)), lines };
}

/** True if a C0 control character (the ones that move a terminal's cursor) is left in `line`. */
function hasControls(line: string | undefined): boolean {
  return [...(line ?? '')].some((char) => char.charCodeAt(0) < 0x20);
}

const AT = Date.UTC(2026, 0, 2, 3, 4, 5);

describe('pretty server log', () => {
  it('prints one operation per line: time, session, peer, op, path, size, time, rate, outcome', () => {
    const lines = prettyLines({
      level: 30,
      time: AT,
      session: 12,
      peer: '127.0.0.1',
      op: 'get',
      path: 'big.bin',
      bytes: 1024 ** 3,
      ms: 7600,
      outcome: 'ok',
      msg: 'get',
    });
    expect(lines).toEqual([
      `${clockOf(AT)} #12 127.0.0.1 get /big.bin 1.0 GiB 7.6 s 134.7 MiB/s ok`,
    ]);
  });

  it('gives operations without data a duration and an outcome only', () => {
    const [line] = prettyLines({
      time: AT,
      session: 3,
      peer: '::1',
      op: 'mkdir',
      path: 'a/b',
      bytes: 0,
      ms: 2,
      outcome: 'EEXIST',
    });
    expect(line).toBe(`${clockOf(AT)} #3 ::1 mkdir /a/b 2 ms EEXIST`);
  });

  it('names every file of a batch on its own line, then the total', () => {
    const lines = prettyLines({
      time: AT,
      session: 1,
      peer: '127.0.0.1',
      op: 'put',
      path: '2 files',
      bytes: 3 * 1024 * 1024,
      ms: 1500,
      outcome: 'ECANCELED',
      files: ['up/a.txt', 'up/b.txt'],
    });
    const at = clockOf(AT);
    expect(lines).toEqual([
      `${at} #1 127.0.0.1 put /up/a.txt ECANCELED`,
      `${at} #1 127.0.0.1 put /up/b.txt ECANCELED`,
      `${at} #1 127.0.0.1 put 2 files 3.0 MiB 1.5 s 2.0 MiB/s ECANCELED`,
    ]);
  });

  it('counts the files a bounded batch record left out', () => {
    const lines = prettyLines({
      time: AT,
      op: 'get',
      bytes: 10,
      ms: 1,
      outcome: 'ok',
      files: ['a'],
      filesLeftOut: 4,
    });
    expect(lines.at(-2)).toContain('get … and 4 more files ok');
    expect(lines.at(-1)).toContain('get 5 files 10 B 1 ms');
  });

  it('escapes control characters in client-supplied paths, users and messages', () => {
    const [operation] = prettyLines({
      time: AT,
      session: 1,
      peer: '127.0.0.1',
      op: 'get',
      path: 'evil\u001b[2Jname\n',
      bytes: 0,
      ms: 1,
      outcome: 'ENOENT',
    });
    expect(hasControls(operation)).toBe(false);
    expect(operation).toContain('/evil\\x1b[2Jname\\x0a');
    const [login] = prettyLines({ time: AT, level: 40, user: 'a\rb', msg: 'login failed' });
    expect(hasControls(login)).toBe(false);
    expect(login).toContain('warning: login failed for a\\x0db');
  });

  it('writes warnings with their reason and errors without a stack', () => {
    const { log, lines } = prettyLogger();
    log.warn({ peer: '127.0.0.1', error: 'wrong version number' }, 'TLS handshake failed');
    log.error({ err: new Error('disk on fire') }, 'server error');
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d 127\.0\.0\.1 warning: TLS handshake failed: wrong version number$/,
    );
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d error: server error: disk on fire$/);
    expect(lines.join('\n')).not.toContain('at ');
    expect(lines).toHaveLength(2);
  });

  it('says session events in words', () => {
    const { log, lines } = prettyLogger();
    log.info({ session: 4, peer: '127.0.0.1', port: 5000 }, 'session open');
    log.info({ session: 4, peer: '127.0.0.1', user: 'alice' }, 'login');
    log.info({ session: 4, peer: '127.0.0.1', reason: 'quit' }, 'session close');
    log.info({ signal: 'SIGINT' }, 'shutting down: finishing transfers in flight');
    expect(lines.map((line) => line.slice(9))).toEqual([
      '#4 127.0.0.1 session open (port 5000)',
      '#4 127.0.0.1 login as alice',
      '#4 127.0.0.1 session close: quit',
      'shutting down: finishing transfers in flight signal=SIGINT',
    ]);
  });

  it('shows durations in the unit a person reads', () => {
    expect(logDuration(0.4)).toBe('0 ms');
    expect(logDuration(38.4)).toBe('38 ms');
    expect(logDuration(7640)).toBe('7.6 s');
    expect(logDuration(123_000)).toBe('2 min 03 s');
  });

  it('is pretty on a terminal and JSON elsewhere unless asked', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });
});
