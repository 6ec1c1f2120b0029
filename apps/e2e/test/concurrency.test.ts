// Many clients at once against one server process: each client is its own process, with its
// own file and its own folder, and every byte must come back as it went (docs/protocol.md §7).
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import {
  KiB,
  makeTempDir,
  partFiles,
  runClient,
  sha256File,
  useServer,
  writeRandomFile,
} from './helpers.js';

const CLIENTS = 20;

const cftp = useServer({ scope: 'all' });
let base: string;

beforeAll(async () => {
  base = await makeTempDir();
});

it(`serves ${CLIENTS} client processes at once, each putting and getting its own file`, async () => {
  const jobs = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const name = `client-${String(i).padStart(2, '0')}.bin`;
      // Distinct sizes from 256 KiB to just under 1 MiB, none a multiple of a chunk size.
      const size = 256 * KiB + i * 39 * KiB + i + 1;
      const source = join(base, `source-${i}`);
      const folder = join(base, `folder-${i}`);
      await mkdir(source);
      await mkdir(folder);
      const digest = await writeRandomFile(join(source, name), size);
      return { name, size, source, folder, digest };
    }),
  );

  const results = await Promise.all(
    jobs.map((job) =>
      runClient(
        cftp.server.port,
        [`put "${join(job.source, job.name)}"`, `get ${job.name}`],
        job.folder,
      ),
    ),
  );

  for (const [i, result] of results.entries()) {
    const job = jobs[i]!;
    expect({ client: i, code: result.code, stderr: result.stderr }).toEqual({
      client: i,
      code: 0,
      stderr: '',
    });
    expect(result.stdout).toContain(`put ${job.name}: ${job.size} bytes in `);
    expect(result.stdout).toContain(`get ${job.name}: ${job.size} bytes in `);
    expect(await sha256File(join(cftp.root, job.name)), `${job.name} on the server`).toBe(
      job.digest,
    );
    expect(await sha256File(join(job.folder, job.name)), `${job.name} back home`).toBe(job.digest);
    expect(await readdir(job.folder)).toEqual([job.name]);
  }
  expect((await readdir(cftp.root)).sort()).toEqual(jobs.map((job) => job.name).sort());
  expect(await partFiles(cftp.root)).toEqual([]);
});
