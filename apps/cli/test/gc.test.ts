// youngGenerationGrows(false) (`cftp server`, unless its storage is S3): the V8 setting it makes at
// run time must still take effect on the Node that runs cftp, or the server's RSS bound
// silently goes. A child process allocates the same short-lived garbage with and without it.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const gcModule = new URL('../src/gc.ts', import.meta.url).href;

/** The young generation's size (MiB) after a run of short-lived allocations in a fresh node. */
function youngGenerationAfterGarbage(keepSmall: boolean, thenGrow = false): number {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    ${keepSmall ? `const { youngGenerationGrows } = await import(${JSON.stringify(gcModule)}); youngGenerationGrows(false);${thenGrow ? ' youngGenerationGrows(true);' : ''}` : ''}
    let held = [];
    for (let i = 0; i < 3e6; i++) { held.push({ i, list: [i] }); if (held.length > 20000) held = []; }
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    process.stdout.write(String(young.space_size / 1048576));`;
  const out = execFileSync(
    process.execPath,
    ['--experimental-strip-types', '--no-warnings', '--input-type=module', '-e', script],
    { encoding: 'utf8' },
  );
  return Number(out);
}

describe('youngGenerationGrows', () => {
  it('keeps the young generation at its starting size where V8 would grow it', () => {
    const grown = youngGenerationAfterGarbage(false);
    const kept = youngGenerationAfterGarbage(true);
    expect(grown).toBeGreaterThan(4);
    expect(kept).toBeLessThanOrEqual(grown / 4);
    // Turned back on (S3 storage), V8 grows it as by default.
    expect(youngGenerationAfterGarbage(true, true)).toBeGreaterThanOrEqual(grown / 2);
  });
});
