// The client's TLS data channels (docs/protocol.md §5.3): each one is its own full handshake
// and must present the control channel's certificate, however many came before it on the
// same session (the client shares one SecureContext between its connections, and resumes
// no session). Against a scripted TLS server, since a real one never changes certificate.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import {
  type ClientMessage,
  encodeMessage,
  MessageDecoder,
  type ServerMessage,
  TOKEN_BYTES,
} from '@cftp/protocol';
import { certificateFingerprint } from '@cftp/transfer';
import { afterEach, describe, expect, it } from 'vitest';
import { HOST, rejectionOf, useFixture } from './helpers.js';

const fx = useFixture();

function identity(name: 'a' | 'b'): { key: string; cert: string } {
  const read = (file: string) => readFileSync(new URL(`./tls/${file}`, import.meta.url), 'utf8');
  return { key: read(`${name}-key.pem`), cert: read(`${name}-cert.pem`) };
}

function fingerprintOf(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return certificateFingerprint(der);
}

const servers: Server[] = [];
const sockets: TLSSocket[] = [];
afterEach(async () => {
  // This hook runs before the fixture's, which closes the client: the connections go first.
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(
    servers
      .splice(0)
      .map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
  );
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return (server.address() as AddressInfo).port;
}

/** The handshakes the server's data listeners completed, and whether each was resumed. */
interface Seen {
  dataHandshakes: { resumed: boolean }[];
}

/**
 * A TLS server that answers every `list` with an empty listing. The control channel presents
 * certificate `a`; the n-th data channel (from 0) presents `dataIdentity(n)`.
 */
async function startTlsFake(dataIdentity: (n: number) => 'a' | 'b', seen: Seen): Promise<number> {
  let channels = 0;
  const control = createServer(identity('a'), (socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    const send = (message: ServerMessage) => socket.write(encodeMessage(message));
    const decoder = new MessageDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const result of decoder.push(chunk)) {
        if (!('message' in result)) continue;
        const message = result.message as ClientMessage;
        if (message.type === 'hello') {
          send({
            type: 'welcome',
            id: message.id,
            version: 1,
            features: ['sha256'],
            agent: 'fake-tls/0',
            maxFrameSize: 65536,
            maxInFlight: 16,
          });
        } else if (message.type === 'list') {
          void serveEmptyListing(message.id, dataIdentity(channels++), send, seen);
        }
      }
    });
  });
  return listen(control);
}

async function serveEmptyListing(
  id: number,
  name: 'a' | 'b',
  send: (message: ServerMessage) => void,
  seen: Seen,
): Promise<void> {
  const token = randomBytes(TOKEN_BYTES);
  const data = createServer(identity(name), (socket: TLSSocket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    seen.dataHandshakes.push({ resumed: socket.isSessionReused() });
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.byteLength < TOKEN_BYTES) return;
      if (!received.subarray(0, TOKEN_BYTES).equals(token)) {
        socket.destroy();
        return;
      }
      socket.end();
      const empty = createHash('sha256').digest('hex');
      send({ type: 'done', id, size: 0, sha256: empty, count: 0 });
    });
  });
  const port = await listen(data);
  send({ type: 'ready', id, port, token: token.toString('hex') });
}

describe('docs/protocol.md §5.3 TLS data channels, from the client', () => {
  it('makes a full handshake on every data channel, each presenting the pinned certificate', async () => {
    const seen: Seen = { dataHandshakes: [] };
    const port = await startTlsFake(() => 'a', seen);
    const client = await fx.connect(port, {
      tls: { fingerprint: fingerprintOf(identity('a').cert) },
    });
    for (let i = 0; i < 3; i++) expect(await client.list('')).toEqual([]);
    expect(seen.dataHandshakes).toEqual([
      { resumed: false },
      { resumed: false },
      { resumed: false },
    ]);
  });

  it('refuses a data channel that presents another certificate (ETLS), after ones that did not', async () => {
    const seen: Seen = { dataHandshakes: [] };
    const port = await startTlsFake((n) => (n < 2 ? 'a' : 'b'), seen);
    const client = await fx.connect(port, {
      tls: { fingerprint: fingerprintOf(identity('a').cert) },
    });
    expect(await client.list('')).toEqual([]);
    expect(await client.list('')).toEqual([]);
    const refused = await rejectionOf(client.list(''));
    expect(refused.code).toBe('ETLS');
    expect(String((refused as { message?: unknown }).message)).toMatch(/another certificate/);
  });

  it('refuses the first data channel when it presents another certificate (ETLS)', async () => {
    const seen: Seen = { dataHandshakes: [] };
    const port = await startTlsFake(() => 'b', seen);
    const client = await fx.connect(port, {
      tls: { fingerprint: fingerprintOf(identity('a').cert) },
    });
    expect((await rejectionOf(client.list(''))).code).toBe('ETLS');
  });
});
