// Listing a remote folder (docs/protocol.md §6.1): the entries arrive as JSON lines on a data
// channel; every line is checked, and every name, before it is returned.
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

/** Longest listing line the client accepts (a hostile server cannot grow it without bound). */
const MAX_LIST_LINE_BYTES = 64 * 1024;

export interface ListOptions extends OperationOptions {
  /** Told of each entry left out (a name §9 refuses) and of the server's `skipped` count. */
  onWarning?: (warning: CftpError) => void;
}

/** Lists a remote folder (§6.1). */
export function list(session: Session, path: string, options: ListOptions): Promise<Entry[]> {
  return session.operation(
    options.signal,
    (id) => ({ type: 'list', id, path }),
    async (exchange) => {
      const ready = await exchange.expect('ready');
      const socket = await exchange.openData(ready);
      const meter = new Meter(undefined, undefined);
      const entries: Entry[] = [];
      let refused = 0;
      let partial = '';
      const final = exchange.expect('done');
      const data = watchFinalReply(final, exchange.aborted);
      try {
        await pipeline(
          socket,
          meterStream(meter),
          async (source: AsyncIterable<Buffer>) => {
            const decoder = new TextDecoder('utf-8', { fatal: true });
            for await (const chunk of source) {
              partial += decoder.decode(chunk, { stream: true });
              let newline = partial.indexOf('\n');
              while (newline >= 0) {
                const entry = parseEntry(partial.slice(0, newline));
                if (entry instanceof CftpError) {
                  refused++;
                  options.onWarning?.(entry);
                } else entries.push(entry);
                partial = partial.slice(newline + 1);
                newline = partial.indexOf('\n');
              }
              if (partial.length > MAX_LIST_LINE_BYTES) {
                throw new ProtocolError('EPROTO', 'listing line too long');
              }
            }
            partial += decoder.decode();
          },
          { signal: data.signal },
        );
      } catch (error) {
        throw await data.failure(dataFailure(error));
      } finally {
        socket.destroy();
      }
      if (partial !== '')
        throw new ProtocolError('EPROTO', 'listing ended in the middle of a line');
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
  try {
    checkName(parsed.value.name); // a hostile server's "../x" never reaches the local disk
  } catch (error) {
    if (error instanceof CftpError) {
      const shown = escapeControls(parsed.value.name);
      return new CftpError('EBADNAME', `skipped "${shown}": ${error.message}`, { cause: error });
    }
    throw error;
  }
  return parsed.value;
}
