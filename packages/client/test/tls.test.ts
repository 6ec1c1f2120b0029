// The client's TLS data channels (docs/protocol.md §5.3): each one is its own full handshake
// and must present the control channel's certificate, however many came before it on the
// same session (the client shares one SecureContext between its connections, and resumes
// no session). Against a scripted TLS server, since a real one never changes certificate.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { certificateFingerprint } from '@cftp/transfer';
import { describe, expect, it } from 'vitest';
import { rejectionOf, useFixture } from './helpers.js';

const fx = useFixture();

function identity(name: 'a' | 'b'): { key: string; cert: string } {
  const read = (file: string) => readFileSync(new URL(`./tls/${file}`, import.meta.url), 'utf8');
  return { key: read(`${name}-key.pem`), cert: read(`${name}-cert.pem`) };
}

const pinned = {
  fingerprint: certificateFingerprint(
    Buffer.from(identity('a').cert.replace(/-----[^-]+-----|\s/g, ''), 'base64'),
  ),
};

/**
 * A TLS server (certificate `a`) that answers every `list` with an empty listing, its n-th
 * data channel (from 0) presenting `dataIdentity(n)`. Each data handshake is recorded in
 * `resumed`: whether it resumed a session.
 */
async function startTlsFake(dataIdentity: (n: number) => 'a' | 'b', resumed: boolean[]) {
  let channels = 0;
  return fx.startFake(
    (message, session) => {
      if (message.type !== 'list') return;
      void (async () => {
        const data = await session.openData(identity(dataIdentity(channels++)));
        session.send({ type: 'ready', id: message.id, port: data.port, token: data.token });
        const socket = (await data.connection) as TLSSocket;
        resumed.push(socket.isSessionReused());
        socket.end();
        const empty = createHash('sha256').digest('hex');
        session.send({ type: 'done', id: message.id, size: 0, sha256: empty, count: 0 });
      })();
    },
    ['sha256'],
    identity('a'),
  );
}

describe('docs/protocol.md §5.3 TLS data channels, from the client', () => {
  it('makes a full handshake on every data channel, each presenting the pinned certificate', async () => {
    const resumed: boolean[] = [];
    const client = await fx.connect(await startTlsFake(() => 'a', resumed), { tls: pinned });
    for (let i = 0; i < 3; i++) expect(await client.list('')).toEqual([]);
    expect(resumed).toEqual([false, false, false]);
  });

  it('refuses a data channel that presents another certificate (ETLS), after ones that did not', async () => {
    const resumed: boolean[] = [];
    const port = await startTlsFake((n) => (n < 2 ? 'a' : 'b'), resumed);
    const client = await fx.connect(port, { tls: pinned });
    expect(await client.list('')).toEqual([]);
    expect(await client.list('')).toEqual([]);
    const refused = await rejectionOf(client.list(''));
    expect(refused.code).toBe('ETLS');
    expect(String((refused as { message?: unknown }).message)).toMatch(/another certificate/);
    expect(resumed).toEqual([false, false]); // the third never got as far as its token
  });

  it('refuses the first data channel when it presents another certificate (ETLS)', async () => {
    const client = await fx.connect(await startTlsFake(() => 'b', []), { tls: pinned });
    expect((await rejectionOf(client.list(''))).code).toBe('ETLS');
  });
});
