// The sync floors (issue 16): the built worker on a small real tree, and how a target under
// the floor of its run is marked on the CFTP row.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerScript } from '../src/layout.js';
import type { Row } from '../src/results.js';
import { checkSyncTargets } from '../src/scenarios/sync.js';

const run = promisify(execFile);
let work: string;
let source: string;
const files = new Map<string, Buffer>();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cftp-sync-floor-'));
  source = join(work, 'src');
  for (let i = 0; i < 30; i++) {
    const path = join(`d${i % 3}`, i % 2 === 0 ? `s${i % 5}` : '', `f${i}.bin`);
    const content = Buffer.alloc(i * 517, i);
    await mkdir(join(source, path, '..'), { recursive: true });
    await writeFile(join(source, path), content);
    files.set(path, content);
  }
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function floor(args: object): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [
    workerScript('sync-floor'),
    JSON.stringify(args),
  ]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('the sync floor worker', () => {
  it('walk: lstats every entry of the tree, folders included', async () => {
    const entries = (await readdir(source, { recursive: true })).length;
    // 30 files, d0-d2, and 15 folders d(i % 3)/s(i % 5), one for each even i below 30
    expect(entries).toBe(30 + 3 + 15);
    expect(await floor({ mode: 'walk', source })).toMatchObject({ entries });
  });

  it('commit: copies every file, byte for byte, and leaves no temporary name', async () => {
    const destination = join(work, 'copy');
    const bytes = [...files.values()].reduce((sum, content) => sum + content.byteLength, 0);
    expect(await floor({ mode: 'commit', source, destination })).toMatchObject({
      files: 30,
      bytes,
    });
    for (const [path, content] of files) {
      expect((await readFile(join(destination, path))).equals(content), path).toBe(true);
    }
    const names = await readdir(destination, { recursive: true });
    expect(names.filter((name) => name.endsWith('.floor-tmp'))).toEqual([]);
    expect(names.length).toBe((await readdir(source, { recursive: true })).length);
  });
});

function row(scenario: string, system: Row['system'], median: number): Row {
  return {
    scenario,
    title: scenario,
    system,
    unit: 's',
    value: { min: median, median, max: median, samples: [median] },
    details: {},
    notes: [],
    targets: [],
  };
}

describe('sync targets against the floors', () => {
  it('marks a target that lies under the floor of the same run, and only such a target', () => {
    const rows = [
      row('sync-first', 'cftp', 4.4),
      row('sync-first', 'rsync daemon', 1.0),
      row('sync-floor-commit', 'ceiling', 0.9),
      row('sync-nochange', 'cftp', 0.6),
      row('sync-nochange', 'rsync daemon', 0.28),
      row('sync-floor-walk', 'ceiling', 0.18),
      row('sync-1pct-changed', 'cftp', 0.25),
      row('sync-1pct-changed', 'rsync daemon', 0.3),
    ];
    checkSyncTargets(rows);
    const cftp = (scenario: string) =>
      rows.find((r) => r.scenario === scenario && r.system === 'cftp')!;
    expect(cftp('sync-first').targets).toEqual([{ text: '≤ rsync (1.00 s)', met: false }]);
    expect(cftp('sync-first').notes).toEqual([]); // its floor (0.9 s) is under the target
    expect(cftp('sync-nochange').targets).toEqual([{ text: '≤ 0.5 × rsync (0.14 s)', met: false }]);
    expect(cftp('sync-nochange').notes).toEqual([
      'target below the floor: a Node process that only lstats the tree takes 0.18 s',
    ]);
    expect(cftp('sync-1pct-changed').targets).toEqual([{ text: '≤ rsync (0.30 s)', met: true }]);
    expect(cftp('sync-1pct-changed').notes).toEqual([]);
  });
});
