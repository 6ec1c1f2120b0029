// `--timeout DURATION` (docs/cli.md "Waits and limits") and the pinned-fingerprint mismatch
// explained by its error class, never by its message text (src/client-security.ts).
import { CftpError, HostKeyChangedError } from '@cftp/client';
import { describe, expect, it } from 'vitest';
import { explainTlsError, securityOptions } from '../src/client-security.js';
import { parseDuration } from '../src/flags.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1.5s', 1500],
    ['1m', 60_000],
    ['30', 30_000],
    ['0.25', 250],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['0', '0ms', '-1s', 'soon', '2h', '1s2', '', '25h'])('refuses "%s" (EUSAGE)', (text) => {
    let error: unknown;
    try {
      parseDuration(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CftpError);
    expect((error as CftpError).code).toBe('EUSAGE');
    expect((error as CftpError).message).toContain('--timeout');
  });
});

describe('securityOptions', () => {
  it('passes --timeout to the engine, and nothing when it is absent', async () => {
    const target = { host: '127.0.0.1', port: 1 };
    const flags = { insecurePlaintext: true };
    expect(await securityOptions(target, { ...flags, timeout: 2000 })).toEqual({ timeoutMs: 2000 });
    expect(await securityOptions(target, flags)).toEqual({});
  });
});

describe('explainTlsError', () => {
  const changed = new HostKeyChangedError(
    'h:1',
    `SHA256:${'a'.repeat(43)}`,
    `SHA256:${'b'.repeat(43)}`,
  );

  it('adds where the pin lives to a HostKeyChangedError', () => {
    const explained = explainTlsError(changed, { knownHosts: '/tmp/kh' }) as CftpError;
    expect(explained.code).toBe('ETLS');
    expect(explained.message).toContain("remove the server's line from /tmp/kh");
  });

  it('leaves another ETLS alone, whatever its text says', () => {
    const other = new CftpError('ETLS', 'it has CHANGED, says the server');
    expect(explainTlsError(other, {})).toBe(other);
  });
});
