// Keeps docs/protocol.md §13 true: every example frame line is re-encoded and checked, every
// malformed example (`✗ CODE`) is refused with its code, and every `done` states the real
// size and SHA-256 of the payload the example shows.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DATA_PREAMBLE_BYTES,
  DATA_PREAMBLE_MAGIC,
  decodePayload,
  encodeMessage,
  type Message,
  MessageDecoder,
} from '../src/index.js';

const spec = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
const section = spec.slice(spec.indexOf('## 13. Worked examples'), spec.indexOf('## 14.'));
const frameLines = [...section.matchAll(/^(C→S|S→C) ([0-9a-f]{8}) (\{.*\})(?: ✗ (E[A-Z]+))?$/gm)];
const lines = frameLines.filter((m) => m[4] === undefined);
const malformed = frameLines.filter((m) => m[4] !== undefined);
const utf8 = new TextEncoder();

describe('docs/protocol.md §13 worked examples', () => {
  it('has examples for the handshake, ls, get, put, error and quit', () => {
    const types = lines.map((m) => (JSON.parse(m[3]!) as Message).type);
    for (const type of [
      'hello',
      'welcome',
      'list',
      'get',
      'put',
      'stat',
      'ready',
      'done',
      'ok',
      'error',
      'quit',
    ]) {
      expect(types).toContain(type);
    }
  });

  it('reads every frame line of the section (none is skipped by a typo)', () => {
    const candidates = section.split('\n').filter((line) => /^(C→S|S→C) /.test(line));
    expect(frameLines).toHaveLength(candidates.length);
  });

  it.each(lines.map((m) => [m[1]!, m[2]!, m[3]!]))('%s %s %s', (_direction, prefix, json) => {
    const message = JSON.parse(json) as Message;
    const frame = encodeMessage(message);
    expect(Buffer.from(frame.subarray(0, 4)).toString('hex')).toBe(prefix);
    expect(new TextDecoder().decode(frame.subarray(4))).toBe(json);
    expect(new MessageDecoder().push(frame)).toEqual([{ ok: true, message }]);
  });

  it.each(malformed.map((m) => [m[1]!, m[2]!, m[3]!, m[4]!]))(
    '%s %s %s is refused with %s',
    (_direction, prefix, json, code) => {
      const payload = utf8.encode(json);
      expect(payload.byteLength.toString(16).padStart(8, '0')).toBe(prefix);
      const result = decodePayload(payload);
      expect('error' in result && result.error.code).toBe(code);
      const id = (JSON.parse(json) as { id: unknown }).id;
      expect('error' in result && result.id).toBe(typeof id === 'number' ? id : null);
    },
  );

  it('states the real size and SHA-256 of each example payload', () => {
    const listings = [...section.matchAll(/half-closes:\n\n```\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(listings).toHaveLength(3);
    const payloads: Record<number, string> = {
      2: listings[0]!, // §13.2
      3: 'hello, world\n', // §13.3
      4: 'notes\n', // §13.4
      7: listings[1]!, // §13.6, a listing with modes
      9: '#!/bin/sh\necho hi\n', // §13.6, a download with its mode
      11: 'notes\n', // §13.6, the upload retried
      12: 'hello, world\n', // §13.6, the first of two requests with one id
      13: 'hello, world\n', // §13.7, a download in single-port mode
      14: listings[2]!, // §13.9, a tree with a digest
    };
    const dones = lines
      .map((m) => JSON.parse(m[3]!) as Message)
      .filter((m): m is Extract<Message, { type: 'done' }> => m.type === 'done');
    expect(dones.map((d) => d.id).sort((a, b) => a - b)).toEqual([2, 3, 4, 7, 9, 11, 12, 13, 14]);
    for (const done of dones) {
      const payload = Buffer.from(payloads[done.id]!, 'utf8');
      expect(done.size).toBe(payload.byteLength);
      expect(done.sha256).toBe(createHash('sha256').update(payload).digest('hex'));
    }
  });

  it('states the byte count of each listing it shows', () => {
    for (const m of section.matchAll(
      /writes (\d+) bytes and half-closes:\n\n```\n([\s\S]*?)```/g,
    )) {
      expect(utf8.encode(m[2]!).byteLength).toBe(Number(m[1]));
    }
  });
});

describe('docs/protocol.md §5.5 the single-port preamble', () => {
  it('shows CFTPDATA and the token of §13.7, as the constants define them', () => {
    const part = spec.slice(spec.indexOf('### 5.5 '), spec.indexOf('## 6. Operations'));
    const dump = /```\n(0000 [\s\S]*?)```/.exec(part)?.[1] ?? '';
    const bytes = Buffer.from(
      dump
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => line.slice(6, 53).replace(/\s+/g, ''))
        .join(''),
      'hex',
    );
    const ready = lines
      .map((m) => JSON.parse(m[3]!) as Message)
      .find((m): m is Extract<Message, { type: 'ready' }> => m.type === 'ready' && m.port === 0);
    expect(ready).toBeDefined();
    expect(bytes.byteLength).toBe(DATA_PREAMBLE_BYTES);
    expect(bytes.subarray(0, 8).equals(Buffer.from(DATA_PREAMBLE_MAGIC))).toBe(true);
    expect(bytes.subarray(8).toString('hex')).toBe(ready?.token);
  });
});
