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
import { LineSplitter } from './line-splitter.js';
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
      const lines = new LineSplitter(maxListLineBytes, 'listing');
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
      const final = exchange.expect('done');
      const data = watchFinalReply(final, exchange.aborted);
      try {
        await pipeline(
          socket,
          // Noted as download bytes: a long listing's socket buffers are reclaimed too.
          meterStream(meter, session.received),
          async (source: AsyncIterable<Buffer>) => {
            for await (const chunk of source) for (const text of lines.push(chunk)) takeLine(text);
          },
          { signal: data.signal },
        );
      } catch (error) {
        throw await data.failure(dataFailure(error));
      } finally {
        socket.destroy();
      }
      lines.end();
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
