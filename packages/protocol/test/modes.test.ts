// Permission bits (docs/protocol.md §6.8): the `mode` fields refuse anything but 0…0o777,
// and the receiver's rule (umask for new files, overwrite keeps, -p copies exactly).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FILE_MODE,
  DEFAULT_SERVER_UMASK,
  decodePayload,
  encodeMessage,
  MODE_MASK,
  messageSchemas,
  receivedMode,
} from '../src/index.js';

const TOKEN = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

describe('docs/protocol.md §3, §6.8: mode fields', () => {
  const carriers = [
    {
      where: 'put.mode',
      make: (mode: unknown) => ({ type: 'put', id: 1, path: 'a', size: 0, mode }),
    },
    {
      where: 'putmany.files[].mode',
      make: (mode: unknown) => ({ type: 'putmany', id: 1, files: [{ path: 'a', size: 0, mode }] }),
    },
    {
      where: 'ready.mode',
      make: (mode: unknown) => ({ type: 'ready', id: 1, port: 1, token: TOKEN, mode }),
    },
    {
      where: 'ready.files[].mode',
      make: (mode: unknown) => ({
        type: 'ready',
        id: 1,
        port: 1,
        token: TOKEN,
        files: [{ size: 0, mtime: 0, mode }],
      }),
    },
    {
      where: 'ok.entry.mode',
      make: (mode: unknown) => ({
        type: 'ok',
        id: 1,
        entry: { name: 'a', type: 'file', size: 0, mtime: 0, mode },
      }),
    },
  ];

  const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

  it.each(carriers)('$where accepts 0, 0o600, 0o755 and 0o777', ({ make }) => {
    for (const mode of [0, 0o600, 0o755, 0o777]) {
      const result = decodePayload(payload(make(mode)));
      expect(result).toEqual({ ok: true, message: make(mode) });
    }
  });

  it.each(carriers)(
    '$where refuses setuid, sticky, negative, fractional and string modes',
    ({ make }) => {
      for (const mode of [0o4755, 0o1777, 0o1000, 512, -1, 420.5, '644', null, true]) {
        const result = decodePayload(payload(make(mode)));
        expect('error' in result && result.error.code).toBe('EPROTO');
      }
    },
  );

  it('exactMode must be a boolean (§6.8)', () => {
    const put = { type: 'put', id: 1, path: 'a', size: 0, exactMode: 'yes' };
    expect(messageSchemas.put.parse(put).ok).toBe(false);
    expect(messageSchemas.put.parse({ ...put, exactMode: true }).ok).toBe(true);
  });

  it('skipped and refusedId are typed (§3.3, §6.1)', () => {
    const done = { type: 'done', id: 1, size: 0, sha256: TOKEN };
    expect(messageSchemas.done.parse({ ...done, skipped: -1 }).ok).toBe(false);
    expect(messageSchemas.done.parse({ ...done, skipped: 2 }).ok).toBe(true);
    const error = { type: 'error', id: null, code: 'EPROTO', message: '' };
    expect(messageSchemas.error.parse({ ...error, refusedId: 0 }).ok).toBe(false);
    expect(messageSchemas.error.parse({ ...error, refusedId: 7 }).ok).toBe(true);
  });

  it('a v1 peer ignores the new fields: a mode-less message still round-trips', () => {
    const get = {
      type: 'ready' as const,
      id: 3,
      port: 4,
      token: TOKEN,
      size: 1,
      offset: 0,
      mtime: 2,
    };
    expect(decodePayload(encodeMessage(get).subarray(4))).toEqual({ ok: true, message: get });
  });
});

describe('docs/protocol.md §6.8: receivedMode', () => {
  const umask = DEFAULT_SERVER_UMASK;

  it.each([
    {
      why: 'a new 600 file stays 600',
      source: 0o600,
      existing: undefined,
      exact: false,
      mode: 0o600,
    },
    {
      why: 'a new 640 file stays 640',
      source: 0o640,
      existing: undefined,
      exact: false,
      mode: 0o640,
    },
    {
      why: 'a new 755 file stays 755',
      source: 0o755,
      existing: undefined,
      exact: false,
      mode: 0o755,
    },
    {
      why: 'a new 666 file is masked to 644',
      source: 0o666,
      existing: undefined,
      exact: false,
      mode: 0o644,
    },
    {
      why: 'a new 777 file is masked to 755',
      source: 0o777,
      existing: undefined,
      exact: false,
      mode: 0o755,
    },
    {
      why: 'no source mode (v1 peer): 666 masked',
      source: undefined,
      existing: undefined,
      exact: false,
      mode: 0o644,
    },
    {
      why: 'an overwritten 600 file keeps 600',
      source: 0o644,
      existing: 0o600,
      exact: false,
      mode: 0o600,
    },
    {
      why: 'an overwritten 644 file keeps 644',
      source: 0o600,
      existing: 0o644,
      exact: false,
      mode: 0o644,
    },
    {
      why: '-p copies 600 over a 644 file',
      source: 0o600,
      existing: 0o644,
      exact: true,
      mode: 0o600,
    },
    { why: '-p copies 666 unmasked', source: 0o666, existing: undefined, exact: true, mode: 0o666 },
    {
      why: '-p without a source mode: the usual rule',
      source: undefined,
      existing: 0o600,
      exact: true,
      mode: 0o600,
    },
  ])('$why', ({ source, existing, exact, mode }) => {
    expect(receivedMode({ source, umask, existing, exact })).toBe(mode);
  });

  it('honours another umask (077 keeps new files private)', () => {
    expect(receivedMode({ source: 0o755, umask: 0o077, existing: undefined, exact: false })).toBe(
      0o700,
    );
    expect(receivedMode({ source: undefined, umask: 0, existing: undefined, exact: false })).toBe(
      DEFAULT_FILE_MODE,
    );
  });

  it('a new file is never wider than its source, and never setuid/sticky (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0o7777 }),
        fc.integer({ min: 0, max: 0o777 }),
        fc.option(fc.integer({ min: 0, max: 0o7777 }), { nil: undefined }),
        fc.boolean(),
        (source, mask, existing, exact) => {
          const mode = receivedMode({ source, umask: mask, existing, exact });
          expect(mode & ~MODE_MASK).toBe(0);
          if (existing === undefined) expect(mode & ~source).toBe(0);
          if (!exact && existing === undefined) expect(mode & mask).toBe(0);
        },
      ),
    );
  });
});
