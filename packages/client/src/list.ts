// Listing a remote folder (docs/protocol.md §6.1): the entries arrive as JSON lines on a data
// channel; every line is checked, and every name, before it is returned.
import { pipeline } from 'node:stream/promises';
import { checkName, type Entry, entrySchema, IntegrityError, ProtocolError } from '@cftp/protocol';
import { dataFailure, verify, watchFinalReply } from './data-channel.js';
import { Meter, meterStream } from './meter.js';
import type { OperationOptions, Session } from './types.js';

/** Longest listing line the client accepts (a hostile server cannot grow it without bound). */
const MAX_LIST_LINE_BYTES = 64 * 1024;

/** Lists a remote folder (§6.1). */
export function list(session: Session, path: string, options: OperationOptions): Promise<Entry[]> {
  return session.operation(
    options.signal,
    (id) => ({ type: 'list', id, path }),
    async (exchange) => {
      const ready = await exchange.expect('ready');
      const socket = await exchange.openData(ready);
      const meter = new Meter(undefined, undefined, session.digest);
      const entries: Entry[] = [];
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
                entries.push(parseEntry(partial.slice(0, newline)));
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
  checkName(parsed.value.name); // a hostile server's "../x" never reaches the local disk
  return parsed.value;
}
