// The Node version gate of the `cftp` entry (src/node-check.ts); the installed command on a
// real Node 20 is apps/e2e/test/package.test.ts.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { nodeProblem } from '../src/node-check.js';

describe('nodeProblem', () => {
  it('refuses a Node older than the minimum in any of its three numbers, naming both', () => {
    for (const running of ['20.20.2', '21.99.99', '22.11.9', '22.12.0-pre']) {
      const expected = running.startsWith('22.12.0')
        ? undefined
        : `needs Node.js 22.12.0 or later; this is Node.js ${running}`;
      expect(nodeProblem(running, '>=22.12.0')).toBe(expected);
    }
    expect(nodeProblem('22.12.0', '>=22.12.1')).toBe(
      'needs Node.js 22.12.1 or later; this is Node.js 22.12.0',
    );
  });

  it('accepts the minimum itself and anything newer', () => {
    for (const running of ['22.12.0', '22.12.1', '22.13.0', '23.0.0', '24.21.0', '100.0.0']) {
      expect(nodeProblem(running, '>=22.12.0')).toBeUndefined();
    }
  });

  it('refuses nothing when `engines` is missing or in a form it does not read', () => {
    for (const engines of ['', '^22.12.0', '>=22', '22.x', '>=22.12.0 <25']) {
      expect(nodeProblem('18.0.0', engines)).toBeUndefined();
    }
  });

  it("the package's own `engines` accepts the Node this suite runs on", async () => {
    const manifest = JSON.parse(
      await readFile(new URL('../package.json', import.meta.url), 'utf8'),
    ) as { engines: { node: string } };
    expect(manifest.engines.node).toMatch(/^>=\d+\.\d+\.\d+$/);
    expect(nodeProblem(process.versions.node, manifest.engines.node)).toBeUndefined();
    expect(nodeProblem('20.20.2', manifest.engines.node)).toMatch(/^needs Node\.js /);
  });
});
