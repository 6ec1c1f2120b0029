// Memory reclaim hooks (Reclaimer, docs/performance.md "Memory"): the server calls the
// host's collector as an upload's data passes; a download reads into reused blocks
// (FileReceiver), so the client has nothing to collect, and sending never does.
import { join } from 'node:path';
import { SERVER_RECLAIM_EVERY_BYTES } from '@cftp/server';
import { describe, expect, it } from 'vitest';
import { useFixture, writeRandom } from './helpers.js';

const fx = useFixture();
const MiB = 1024 * 1024;

describe('collectGarbage hooks', () => {
  it('the server collects while receiving an upload; a download allocates nothing to collect', async () => {
    let serverCollections = 0;
    let clientCollections = 0;
    const { port } = await fx.startServer({ collectGarbage: () => serverCollections++ });
    const local = await fx.tempDir();
    await writeRandom(join(local, 'big.bin'), 40 * MiB);
    const client = await fx.connect(port, { collectGarbage: () => clientCollections++ });
    await client.put(join(local, 'big.bin'), 'big.bin');
    const collections = Math.floor((40 * MiB) / SERVER_RECLAIM_EVERY_BYTES);
    expect(collections).toBeGreaterThan(1);
    expect(serverCollections).toBe(collections); // every SERVER_RECLAIM_EVERY_BYTES received
    expect(clientCollections).toBe(0); // sending allocates nothing to reclaim
    await client.get('big.bin', join(local, 'copy.bin'));
    expect(clientCollections).toBe(0);
    expect(serverCollections).toBe(collections);
  });
});
