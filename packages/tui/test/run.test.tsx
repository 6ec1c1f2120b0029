// runTui without a terminal: a clear message pointing to `cftp client`, exit code 2.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT_NO_TERMINAL, NO_TERMINAL_MESSAGE, runTui } from '../src/run.js';

function pipe(): PassThrough & { isTTY?: boolean } {
  return new PassThrough();
}

describe('runTui', () => {
  it('refuses to start without a terminal and points to cftp client', async () => {
    const stderr = pipe();
    let said = '';
    stderr.on('data', (chunk: Buffer) => {
      said += chunk.toString();
    });
    const code = await runTui({
      host: '127.0.0.1',
      port: 1,
      stdin: pipe() as unknown as NodeJS.ReadStream,
      stdout: pipe() as unknown as NodeJS.WriteStream,
      stderr,
    });
    expect(code).toBe(EXIT_NO_TERMINAL);
    expect(code).toBe(2);
    expect(said).toBe(NO_TERMINAL_MESSAGE);
    expect(said).toContain('cftp client <HOST> <PORT>');
  });
});
