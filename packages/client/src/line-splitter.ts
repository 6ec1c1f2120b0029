// The lines of a data channel that carries JSON lines (a listing, §6.1; a tree, §6.10): split
// on bytes, so the line limit (§5.4) counts bytes, not characters; decoded as UTF-8, strictly.
import { ProtocolError } from '@cftp/protocol';

/** Splits a byte stream into lines of at most `max` bytes (`\n` excluded), decoded as UTF-8. */
export class LineSplitter {
  /** The bytes of a line begun in earlier chunks. */
  private parts: Buffer[] = [];
  private pending = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  /** `what` names the stream in errors: "listing line longer than 65536 bytes". */
  constructor(
    private readonly max: number,
    private readonly what: string,
  ) {}

  /** The lines `chunk` completes, in order; throws EPROTO at the first line that breaks a rule. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let at = 0;
    if (this.pending > 0) {
      // The end of a line that began in an earlier chunk.
      const newline = chunk.indexOf(0x0a);
      const end = newline < 0 ? chunk.byteLength : newline;
      if (this.pending + end > this.max) throw this.tooLong();
      this.parts.push(chunk.subarray(0, end));
      this.pending += end;
      if (newline < 0) return lines;
      lines.push(this.decode(Buffer.concat(this.parts, this.pending)));
      this.parts = [];
      this.pending = 0;
      at = newline + 1;
    }
    const last = chunk.lastIndexOf(0x0a);
    if (last >= at) {
      this.complete(chunk, at, last, lines);
      at = last + 1;
    }
    if (at < chunk.byteLength) {
      this.pending = chunk.byteLength - at;
      if (this.pending > this.max) throw this.tooLong();
      this.parts.push(chunk.subarray(at));
    }
    return lines;
  }

  /** The stream ended: a last line without `\n` is a truncated one. */
  end(): void {
    if (this.pending > 0) {
      throw new ProtocolError('EPROTO', `${this.what} ended in the middle of a line`);
    }
  }

  /**
   * The complete lines of `chunk` from `at` to its last newline `last`. Fast path: one decode
   * for all of them (a newline byte is never inside a UTF-8 sequence, so the text splits into
   * the same lines); each line's byte length is still checked, in order. When that decode
   * fails, line by line, so the first bad line is the one reported.
   */
  private complete(chunk: Buffer, at: number, last: number, lines: string[]): void {
    let text: string | undefined;
    try {
      text = this.decoder.decode(chunk.subarray(at, last));
    } catch {
      text = undefined;
    }
    let start = at;
    if (text !== undefined) {
      for (const line of text.split('\n')) {
        const newline = chunk.indexOf(0x0a, start);
        if (newline - start > this.max) throw this.tooLong();
        lines.push(line);
        start = newline + 1;
      }
      return;
    }
    while (start <= last) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline - start > this.max) throw this.tooLong();
      lines.push(this.decode(chunk.subarray(start, newline)));
      start = newline + 1;
    }
  }

  private decode(bytes: Uint8Array): string {
    try {
      return this.decoder.decode(bytes);
    } catch {
      throw new ProtocolError('EPROTO', `${this.what} line is not UTF-8`);
    }
  }

  private tooLong(): ProtocolError {
    return new ProtocolError('EPROTO', `${this.what} line longer than ${this.max} bytes`);
  }
}
