import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_SIZE, historyFile, loadHistory, saveHistory } from '../src/history.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cftp-cli-history-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('prompt history', () => {
  it('lives in $CFTP_HISTORY, ~/.cftp_history by default, nowhere when empty', () => {
    expect(historyFile({ CFTP_HISTORY: '/x/h' })).toBe('/x/h');
    expect(historyFile({})).toBe(join(homedir(), '.cftp_history'));
    expect(historyFile({ CFTP_HISTORY: '' })).toBeUndefined();
  });

  it('is saved oldest first, trimmed, and loaded newest first as readline keeps it', async () => {
    const file = join(dir, 'h1');
    saveHistory(file, ['get big.bin ', 'cd docs/', '']);
    expect(await readFile(file, 'utf8')).toBe('cd docs/\nget big.bin\n');
    expect(loadHistory(file)).toEqual(['get big.bin', 'cd docs/']);
  });

  it('keeps at most HISTORY_SIZE lines', async () => {
    const file = join(dir, 'h2');
    await writeFile(
      file,
      `${Array.from({ length: HISTORY_SIZE + 5 }, (_, i) => `ls ${i}`).join('\n')}\n`,
    );
    const loaded = loadHistory(file);
    expect(loaded).toHaveLength(HISTORY_SIZE);
    expect(loaded[0]).toBe(`ls ${HISTORY_SIZE + 4}`);
  });

  it('a missing or unwritable file is no error', () => {
    expect(loadHistory(join(dir, 'none'))).toEqual([]);
    expect(loadHistory(undefined)).toEqual([]);
    expect(() => saveHistory(join(dir, 'no', 'such', 'dir'), ['ls'])).not.toThrow();
  });
});
