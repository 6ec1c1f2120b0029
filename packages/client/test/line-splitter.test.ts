// LineSplitter (the lines of a listing or tree data channel): lines split on bytes across
// chunks, the byte limit and UTF-8 checked line by line and in order, also on the fast path
// that decodes a chunk's complete lines at once.
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../src/line-splitter.js';

const eproto = (message: string) => expect.objectContaining({ code: 'EPROTO', message });

describe('LineSplitter', () => {
  it('joins a line that spans several chunks, multi-byte characters included', () => {
    const text = Buffer.from('héllo wörld\nnext\n');
    const lines = new LineSplitter(64, 'listing');
    // Cut inside "é" and inside "ö": the bytes are joined before they are decoded.
    const taken = [
      ...lines.push(text.subarray(0, 2)),
      ...lines.push(text.subarray(2, 9)),
      ...lines.push(text.subarray(9)),
    ];
    expect(taken).toEqual(['héllo wörld', 'next']);
    lines.end();
  });

  it('takes every complete line of a chunk at once, checking each one’s byte length', () => {
    const lines = new LineSplitter(4, 'listing');
    expect(lines.push(Buffer.from('ab\n\nabcd\nxy'))).toEqual(['ab', '', 'abcd']);
    expect(lines.push(Buffer.from('z\n'))).toEqual(['xyz']);
    expect(() => lines.push(Buffer.from('ok\nabcde\nok\n'))).toThrow(
      eproto('listing line longer than 4 bytes'),
    );
  });

  it('names the line that is not UTF-8, also among good ones in the same chunk', () => {
    const lines = new LineSplitter(64, 'tree');
    const bad = Buffer.concat([
      Buffer.from('good\n'),
      Buffer.from([0xff, 0x0a]),
      Buffer.from('x\n'),
    ]);
    expect(() => lines.push(bad)).toThrow(eproto('tree line is not UTF-8'));
    // A line that begins in one chunk and is bad where it ends.
    const split = new LineSplitter(64, 'tree');
    split.push(Buffer.from([0x61, 0xc3]));
    expect(() => split.push(Buffer.from([0x0a]))).toThrow(eproto('tree line is not UTF-8'));
  });

  it('refuses a line over the limit before its end has come', () => {
    const lines = new LineSplitter(4, 'tree');
    lines.push(Buffer.from('abc'));
    expect(() => lines.push(Buffer.from('de'))).toThrow(eproto('tree line longer than 4 bytes'));
    expect(() => new LineSplitter(4, 'tree').push(Buffer.from('abcdef'))).toThrow(
      eproto('tree line longer than 4 bytes'),
    );
  });

  it('calls a stream that ends inside a line truncated', () => {
    const lines = new LineSplitter(64, 'listing');
    expect(lines.push(Buffer.from('whole\npart'))).toEqual(['whole']);
    expect(() => lines.end()).toThrow(eproto('listing ended in the middle of a line'));
  });
});
