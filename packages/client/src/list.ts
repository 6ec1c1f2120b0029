// Listing a remote folder (docs/protocol.md §6.1): the entries arrive as JSON lines on a data
// channel; every line is checked, and every name, before it is returned. A name the client
// must refuse (§9) is left out with a warning, not a failure of the whole folder.
import { pipeline } from 'node:stream/promises';
import {
  CftpError,
  checkName,
  type Entry,
  entrySchema,
  escapeControls,
  IntegrityError,
  ProtocolError,
} from '@cftp/protocol';
import { dataFailure, verify, watchFinalReply } from './data-channel.js';
import { Meter, meterStream } from './meter.js';
import type { OperationOptions, Session } from './types.js';

export interface ListOptions extends OperationOptions {
  /** Told of each entry left out (a name §9 refuses) and of the server's `skipped` count. */
  onWarning?: (warning: CftpError) => void;
}

/** Lists a remote folder (§6.1), within the client's entry and line limits (§5.4). */
export function list(session: Session, path: string, options: ListOptions): Promise<Entry[]> {
  const { maxListEntries, maxListLineBytes } = session.limits;
  return session.operation(
    options.signal,
    (id) => ({ type: 'list', id, path }),
    async (exchange) => {
      const ready = await exchange.expect('ready');
      const socket = await exchange.openData(ready);
      const meter = new Meter(undefined, undefined, session.digest);
      const entries: Entry[] = [];
      let refused = 0;
      // The current line's bytes so far, split on bytes so a limit counts bytes, not chars.
      let line: Buffer[] = [];
      let lineBytes = 0;
      const decoder = new TextDecoder('utf-8', { fatal: true });
      const tooLong = () =>
        new ProtocolError('EPROTO', `listing line longer than ${maxListLineBytes} bytes`);
      const decode = (bytes: Uint8Array): string => {
        try {
          return decoder.decode(bytes);
        } catch {
          throw new ProtocolError('EPROTO', 'listing line is not UTF-8');
        }
      };
      const takeLine = (text: string) => {
        if (entries.length + refused >= maxListEntries) {
          throw new ProtocolError('EPROTO', `listing has more than ${maxListEntries} entries`);
        }
        const entry = parseEntry(text);
        if (entry instanceof CftpError) {
          refused++;
          options.onWarning?.(entry);
        } else entries.push(entry);
      };
      /**
       * The complete lines of `chunk` from `at` to its last newline `last`. Fast path: one
       * decode for all of them (a newline byte is never inside a UTF-8 sequence, so the text
       * splits into the same lines); each line's byte length is still checked, in order.
       * When that decode fails, line by line, so the first bad line is the one reported.
       */
      const takeLines = (chunk: Buffer, at: number, last: number) => {
        let text: string | undefined;
        try {
          text = decoder.decode(chunk.subarray(at, last));
        } catch {
          text = undefined;
        }
        let start = at;
        if (text !== undefined) {
          for (const part of text.split('\n')) {
            const newline = chunk.indexOf(0x0a, start);
            if (newline - start > maxListLineBytes) throw tooLong();
            takeLine(part);
            start = newline + 1;
          }
          return;
        }
        while (start <= last) {
          const newline = chunk.indexOf(0x0a, start);
          if (newline - start > maxListLineBytes) throw tooLong();
          takeLine(decode(chunk.subarray(start, newline)));
          start = newline + 1;
        }
      };
      const takeChunk = (chunk: Buffer) => {
        let at = 0;
        if (line.length > 0) {
          // The end of a line that began in an earlier chunk.
          const newline = chunk.indexOf(0x0a);
          const end = newline < 0 ? chunk.byteLength : newline;
          lineBytes += end;
          if (lineBytes > maxListLineBytes) throw tooLong();
          line.push(chunk.subarray(0, end));
          if (newline < 0) return;
          takeLine(decode(Buffer.concat(line, lineBytes)));
          line = [];
          lineBytes = 0;
          at = newline + 1;
        }
        const last = chunk.lastIndexOf(0x0a);
        if (last >= at) {
          takeLines(chunk, at, last);
          at = last + 1;
        }
        if (at < chunk.byteLength) {
          lineBytes = chunk.byteLength - at;
          if (lineBytes > maxListLineBytes) throw tooLong();
          line.push(chunk.subarray(at));
        }
      };
      const final = exchange.expect('done');
      const data = watchFinalReply(final, exchange.aborted);
      try {
        await pipeline(
          socket,
          // Noted as download bytes: a long listing's socket buffers are reclaimed too.
          meterStream(meter, session.received),
          async (source: AsyncIterable<Buffer>) => {
            for await (const chunk of source) takeChunk(chunk);
          },
          { signal: data.signal },
        );
      } catch (error) {
        throw await data.failure(dataFailure(error));
      } finally {
        socket.destroy();
      }
      if (lineBytes > 0) {
        throw new ProtocolError('EPROTO', 'listing ended in the middle of a line');
      }
      const done = await final;
      verify(done, meter.bytes, meter.digest(), 'listing');
      const received = entries.length + refused; // a refused line still counts (§6.1)
      if (done.count !== undefined && done.count !== received) {
        throw new IntegrityError(`listing has ${received} entries, server sent ${done.count}`);
      }
      if (done.skipped !== undefined && done.skipped > 0) {
        // Worded as the server's own log line (docs/protocol.md §13.6), path escaped (§9.1).
        const shown = escapeControls(path === '' ? '/' : path);
        const left = done.skipped === 1 ? '1 entry' : `${done.skipped} entries`;
        options.onWarning?.(
          new CftpError('EBADNAME', `list "${shown}": ${left} left out by the server`, { path }),
        );
      }
      return entries;
    },
  );
}

/** One listing line: its entry, or the error of a name the client refuses (skipped, §6.1). */
function parseEntry(line: string): Entry | CftpError {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ProtocolError('EPROTO', 'listing line is not JSON');
  }
  const parsed = entrySchema.parse(value);
  if (!parsed.ok) throw new ProtocolError('EPROTO', `bad listing entry (${parsed.error})`);
  const { name, type, size, mtime, mode, target } = parsed.value;
  try {
    checkName(name); // a hostile server's "../x" never reaches the local disk
  } catch (error) {
    if (error instanceof CftpError) {
      const shown = escapeControls(name);
      return new CftpError('EBADNAME', `skipped "${shown}": ${error.message}`, { cause: error });
    }
    throw error;
  }
  // Rebuilt as one literal of a fixed shape: a listing may hold a million entries (§6.1),
  // and V8 keeps these smaller (and allocates them straight into the old generation once
  // it sees them survive) than objects grown key by key.
  // A symlink's text (feature `links`, §6.9) is kept only on a symlink: it is shown, and
  // with --links written as a link's text, never used as a path the client opens.
  if (target !== undefined && type === 'symlink') return { name, type, size, mtime, target };
  return mode === undefined ? { name, type, size, mtime } : { name, type, size, mtime, mode };
}
