import { describe, expect, it } from 'vitest';
import { encodeMessage, MessageDecoder } from '../src/index.js';

describe('codec smoke', () => {
  it('round-trips a hello', () => {
    const msg = { type: 'hello', id: 1, version: 1, features: ['sha256'] } as const;
    const out = new MessageDecoder().push(encodeMessage(msg));
    expect(out).toEqual([{ message: msg }]);
  });
});
