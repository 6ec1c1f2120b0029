// Memory reclaim hooks (Reclaimer, docs/performance.md "Memory"): the server calls the
// host's collector as a batch upload's data passes (its data socket's chunks are Buffers);
// a single upload's data socket is read into reused blocks (readInto), and so is a
// download's on the client, so neither has anything to collect, and sending never does.
import { join } from 'node:path';
import { SERVER_RECLAIM_EVERY_BYTES } from '@cftp/server';
import { describe, expect, it } from 'vitest';
import { useFixture, writeRandom } from './helpers.js';

const fx = useFixture();
const MiB = 1024 * 1024;

describe('collectGarbage hooks', () => {
  it('the server collects while receiving a batch; a put and a get allocate nothing to collect', async () => {
    let serverCollections = 0;
    let clientCollections = 0;
    const { port } = await fx.startServer({ collectGarbage: () => serverCollections++ });
    const local = await fx.tempDir();
    await writeRandom(join(local, 'big.bin'), 40 * MiB);
    const client = await fx.connect(port, { collectGarbage: () => clientCollections++ });
    await client.put(join(local, 'big.bin'), 'big.bin');
    expect(serverCollections).toBe(0); // read into the receiver's blocks: no garbage
    expect(clientCollections).toBe(0); // sending allocates nothing to reclaim
    await client.get('big.bin', join(local, 'copy.bin'));
    expect(clientCollections).toBe(0);

    const items = [];
    for (let i = 0; i < 10; i++) {
      await writeRandom(join(local, `f${i}`), 4 * MiB);
      items.push({ local: join(local, `f${i}`), remote: `f${i}` });
    }
    await client.putMany(items);
    const collections = Math.floor((40 * MiB) / SERVER_RECLAIM_EVERY_BYTES);
    expect(collections).toBeGreaterThan(1);
    expect(serverCollections).toBe(collections); // every SERVER_RECLAIM_EVERY_BYTES received
    expect(clientCollections).toBe(0);
  });
});
