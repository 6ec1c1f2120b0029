// Keeps docs/protocol.md §13 true: every example frame line is re-encoded and checked.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeMessage, type Message, MessageDecoder } from '../src/index.js';

const spec = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
const section = spec.slice(spec.indexOf('## 13. Worked examples'));
const lines = [...section.matchAll(/^(C→S|S→C) ([0-9a-f]{8}) (\{.*\})$/gm)];

describe('docs/protocol.md §13 worked examples', () => {
  it('has examples for the handshake, ls, get, put, error and quit', () => {
    const types = lines.map((m) => (JSON.parse(m[3]!) as Message).type);
    for (const type of [
      'hello',
      'welcome',
      'list',
      'get',
      'put',
      'ready',
      'done',
      'ok',
      'error',
      'quit',
    ]) {
      expect(types).toContain(type);
    }
  });

  it.each(lines.map((m) => [m[1]!, m[2]!, m[3]!]))('%s %s %s', (_direction, prefix, json) => {
    const message = JSON.parse(json) as Message;
    const frame = encodeMessage(message);
    expect(Buffer.from(frame.subarray(0, 4)).toString('hex')).toBe(prefix);
    expect(new TextDecoder().decode(frame.subarray(4))).toBe(json);
    expect(new MessageDecoder().push(frame)).toEqual([{ ok: true, message }]);
  });

  it('states the real size and SHA-256 of each example payload', () => {
    const listing = /half-closes:\n\n```\n([\s\S]*?)```/.exec(section)?.[1];
    expect(listing).toBeDefined();
    const payloads: Record<number, string> = { 2: listing!, 3: 'hello, world\n', 4: 'notes\n' };
    const dones = lines
      .map((m) => JSON.parse(m[3]!) as Message)
      .filter((m): m is Extract<Message, { type: 'done' }> => m.type === 'done');
    expect(dones.map((d) => d.id).sort()).toEqual([2, 3, 4]);
    for (const done of dones) {
      const payload = Buffer.from(payloads[done.id]!, 'utf8');
      expect(done.size).toBe(payload.byteLength);
      expect(done.sha256).toBe(createHash('sha256').update(payload).digest('hex'));
    }
  });
});
