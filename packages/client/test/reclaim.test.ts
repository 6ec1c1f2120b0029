// Memory reclaim hooks (Reclaimer, docs/performance.md "Memory"): both engines call the
// host's collector as received data passes, and only for received data.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFixture, writeRandom } from './helpers.js';

const fx = useFixture();
const MiB = 1024 * 1024;

describe('collectGarbage hooks', () => {
  it('the server collects while receiving an upload, the client while receiving a download', async () => {
    let serverCollections = 0;
    let clientCollections = 0;
    const { port } = await fx.startServer({ collectGarbage: () => serverCollections++ });
    const local = await fx.tempDir();
    await writeRandom(join(local, 'big.bin'), 40 * MiB);
    const client = await fx.connect(port, { collectGarbage: () => clientCollections++ });
    await client.put(join(local, 'big.bin'), 'big.bin');
    expect(serverCollections).toBe(2); // every 16 MiB received
    expect(clientCollections).toBe(0); // sending allocates nothing to reclaim
    await client.get('big.bin', join(local, 'copy.bin'));
    expect(clientCollections).toBe(2);
    expect(serverCollections).toBe(2);
  });
});
