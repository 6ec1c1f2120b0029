// The client's forward-compatibility rule (docs/protocol.md §3.3), fed with real decoder
// output: an unknown type never ends the session, it fails only the request it names.
import { describe, expect, it } from 'vitest';
import { clientDisposition, decodePayload, isServerMessage, messageSchemas } from '../src/index.js';

const TOKEN = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const inFlight = (id: number) => id === 5;
const frame = (value: unknown) => decodePayload(new TextEncoder().encode(JSON.stringify(value)));
const action = (value: unknown) => clientDisposition(frame(value), inFlight).action;

describe('docs/protocol.md §3.3: clientDisposition', () => {
  it('delivers a server reply to the request in flight it names', () => {
    const ready = { type: 'ready', id: 5, port: 4000, token: TOKEN };
    expect(clientDisposition(frame(ready), inFlight)).toEqual({
      action: 'deliver',
      message: ready,
    });
  });

  it('ignores a reply to a request not in flight (aborted, timed out)', () => {
    expect(action({ type: 'ok', id: 6 })).toBe('ignore');
  });

  it('ignores an unknown type that names no request, or one not in flight', () => {
    expect(action({ type: 'notice', id: null, text: 'maintenance' })).toBe('ignore');
    expect(action({ type: 'notice', text: 'maintenance' })).toBe('ignore');
    expect(action({ type: 'progress', id: 9, bytes: 1 })).toBe('ignore');
  });

  it('fails only the request in flight that an unknown type names, with EPROTO', () => {
    expect(clientDisposition(frame({ type: 'progress', id: 5 }), inFlight)).toMatchObject({
      action: 'failRequest',
      id: 5,
      code: 'EPROTO',
    });
  });

  it('fails the request a malformed known reply names; ignores one not in flight', () => {
    const bad = { type: 'ready', id: 5, port: -1, token: TOKEN };
    expect(clientDisposition(frame(bad), inFlight)).toMatchObject({
      action: 'failRequest',
      id: 5,
      code: 'EPROTO',
    });
    expect(action({ ...bad, id: 6 })).toBe('ignore');
  });

  it('ends the session on a malformed frame that names no request', () => {
    expect(clientDisposition(frame({ type: 'ready', port: 1 }), inFlight)).toMatchObject({
      action: 'endSession',
      code: 'EPROTO',
    });
    expect(
      clientDisposition(
        { error: { code: 'EPROTO', message: 'payload is not UTF-8 JSON' }, id: null },
        inFlight,
      ),
    ).toMatchObject({ action: 'endSession', code: 'EPROTO' });
  });

  it('ends the session on an error with id null, with its code', () => {
    expect(
      clientDisposition(
        frame({ type: 'error', id: null, code: 'ESHUTDOWN', message: 'server shutting down' }),
        inFlight,
      ),
    ).toEqual({ action: 'endSession', code: 'ESHUTDOWN', reason: 'server shutting down' });
    expect(action({ type: 'error', id: null, code: 'EPROTO', message: 'dup', refusedId: 5 })).toBe(
      'endSession',
    );
  });

  it('treats a client → server type from the server as out of place', () => {
    expect(clientDisposition(frame({ type: 'get', id: 5, path: 'x' }), inFlight)).toMatchObject({
      action: 'failRequest',
      id: 5,
      code: 'EPROTO',
    });
    expect(action({ type: 'get', id: 6, path: 'x' })).toBe('ignore');
  });

  it('isServerMessage knows exactly the types of §3.2', () => {
    const server = Object.keys(messageSchemas).filter((type) =>
      isServerMessage({ type } as Parameters<typeof isServerMessage>[0]),
    );
    expect(server.sort()).toEqual(['done', 'error', 'ok', 'ready', 'welcome']);
  });
});
