// Listing a remote folder (docs/protocol.md §6.1): the entries arrive as JSON lines on a data
// channel; every line is checked, and every name, before it is returned.
import { pipeline } from 'node:stream/promises';
import { checkName, type Entry, entrySchema, IntegrityError, ProtocolError } from '@cftp/protocol';
import { dataFailure, verify, watchFinalReply } from './data-channel.js';
import { Meter, meterStream } from './meter.js';
import type { OperationOptions, Session } from './types.js';

/** Lists a remote folder (§6.1), within the client's entry and line limits (§5.4). */
export function list(session: Session, path: string, options: OperationOptions): Promise<Entry[]> {
  const { maxListEntries, maxListLineBytes } = session.limits;
  return session.operation(
    options.signal,
    (id) => ({ type: 'list', id, path }),
    async (exchange) => {
      const ready = await exchange.expect('ready');
      const socket = await exchange.openData(ready);
      const meter = new Meter(undefined, undefined);
      const entries: Entry[] = [];
      // The current line's bytes so far, split on bytes so a limit counts bytes, not chars.
      let line: Buffer[] = [];
      let lineBytes = 0;
      const decoder = new TextDecoder('utf-8', { fatal: true });
      const endLine = () => {
        if (entries.length >= maxListEntries) {
          throw new ProtocolError('EPROTO', `listing has more than ${maxListEntries} entries`);
        }
        let text: string;
        try {
          text = decoder.decode(Buffer.concat(line, lineBytes));
        } catch {
          throw new ProtocolError('EPROTO', 'listing line is not UTF-8');
        }
        entries.push(parseEntry(text));
        line = [];
        lineBytes = 0;
      };
      const final = exchange.expect('done');
      const data = watchFinalReply(final, exchange.aborted);
      try {
        await pipeline(
          socket,
          // Noted as download bytes: a long listing's socket buffers are reclaimed too.
          meterStream(meter, session.received),
          async (source: AsyncIterable<Buffer>) => {
            for await (const chunk of source) {
              let at = 0;
              while (at < chunk.byteLength) {
                const newline = chunk.indexOf(0x0a, at);
                const end = newline < 0 ? chunk.byteLength : newline;
                lineBytes += end - at;
                if (lineBytes > maxListLineBytes) {
                  throw new ProtocolError(
                    'EPROTO',
                    `listing line longer than ${maxListLineBytes} bytes`,
                  );
                }
                line.push(chunk.subarray(at, end));
                if (newline < 0) break;
                endLine();
                at = newline + 1;
              }
            }
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
      if (done.count !== undefined && done.count !== entries.length) {
        throw new IntegrityError(
          `listing has ${entries.length} entries, server sent ${done.count}`,
        );
      }
      return entries;
    },
  );
}

function parseEntry(line: string): Entry {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ProtocolError('EPROTO', 'listing line is not JSON');
  }
  const parsed = entrySchema.parse(value);
  if (!parsed.ok) throw new ProtocolError('EPROTO', `bad listing entry (${parsed.error})`);
  const { name, type, size, mtime, mode } = parsed.value;
  checkName(name); // a hostile server's "../x" never reaches the local disk
  // Rebuilt as one literal of a fixed shape: a listing may hold a million entries (§6.1),
  // and V8 keeps these smaller (and allocates them straight into the old generation once
  // it sees them survive) than objects grown key by key.
  return mode === undefined ? { name, type, size, mtime } : { name, type, size, mtime, mode };
}
