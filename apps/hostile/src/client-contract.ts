// What every hostile-server case checks of a `cftp` run (issue 11, "Done when"): the exit
// code and a message naming the cause, nothing written outside the target folder, nothing
// under the final name on failure, no file ever larger than announced, bounded memory, an
// end within the client's timeout plus a margin, and a terminal that never sees a raw
// control character, C1 control or bidi override. Each check returns what it found wrong,
// so one failing case lists every breach at once.
import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RunResult, Sandbox } from './run-client.js';

export interface Contract {
  /** 'failure': any non-zero exit code; a number: exactly that one. */
  exit: 'failure' | number;
  /** Each must match the terminal output (stdout and stderr together). */
  says?: readonly RegExp[];
  /** None may match the terminal output (a forged line, say). */
  never?: readonly RegExp[];
  /** No file under the target folder may ever be larger (bytes). */
  maxFileBytes?: number;
  /** Names (relative to the target folder) that must not exist at the end. */
  absent?: readonly string[];
  /** Names that must exist at the end. */
  present?: readonly string[];
  /** A resumable failure may keep its `.part` file; any other failure leaves none. */
  partials: 'none' | 'allowed';
  /** Peak resident memory allowed (KiB); default 256 MiB. */
  maxRssKiB?: number;
}

export const DEFAULT_MAX_RSS_KIB = 256 * 1024;

const PARTIAL = /^\..*\.cftp-(resume-)?[0-9a-f]{16}\.part$/;

/** Code points a terminal may act on: C0 but `\n`, C1, and the bidi embeddings/isolates. */
export function unsafeCharacters(text: string): string[] {
  const found: string[] = [];
  let index = 0;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    const unsafe =
      (code < 0x20 && code !== 0x0a) ||
      (code >= 0x80 && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069);
    if (unsafe && found.length < 10) {
      const around = text.slice(Math.max(0, index - 20), index + 20);
      found.push(`U+${code.toString(16).padStart(4, '0')} in ${JSON.stringify(around)}`);
    }
    index += character.length;
  }
  return found;
}

/** Every way `result` breaks `contract`; empty when it keeps it. */
export async function breaches(
  result: RunResult,
  sandbox: Sandbox,
  contract: Contract,
): Promise<string[]> {
  const problems: string[] = [];
  if (result.killed === 'bound') {
    problems.push(`still running after ${Math.round(result.elapsedMs)} ms: killed by the test`);
  } else if (result.killed === 'bytes') {
    problems.push('killed by the test: a local file grew far past the announced size');
  } else if (result.killed === 'rss') {
    problems.push('killed by the test: resident memory grew past the limit');
  }
  if (contract.exit === 'failure') {
    if (result.code === 0) problems.push('exit code 0, expected a failure');
  } else if (result.code !== contract.exit) {
    problems.push(`exit code ${result.code} (signal ${result.signal}), expected ${contract.exit}`);
  }
  for (const pattern of contract.says ?? []) {
    if (!pattern.test(result.output)) problems.push(`output does not match ${pattern}`);
  }
  for (const pattern of contract.never ?? []) {
    if (pattern.test(result.output)) problems.push(`output matches ${pattern}`);
  }
  for (const found of unsafeCharacters(result.output)) {
    problems.push(`terminal got an unsafe character: ${found}`);
  }
  if (contract.maxFileBytes !== undefined) {
    for (const [name, size] of result.largest) {
      if (size > contract.maxFileBytes) {
        problems.push(`${JSON.stringify(name)} reached ${size} bytes > ${contract.maxFileBytes}`);
      }
    }
  }
  const left = await readdir(sandbox.target, { recursive: true });
  for (const name of contract.absent ?? []) {
    if (left.includes(name)) problems.push(`${JSON.stringify(name)} exists under its final name`);
  }
  for (const name of contract.present ?? []) {
    if (!left.includes(name)) problems.push(`${JSON.stringify(name)} is missing`);
  }
  if (contract.partials === 'none') {
    for (const name of left.filter((entry) => PARTIAL.test(basename(entry)))) {
      problems.push(`partial file left behind: ${JSON.stringify(name)}`);
    }
  }
  for (const name of left) {
    if (unsafeCharacters(name).length > 0) {
      problems.push(`a local file has an unsafe name: ${JSON.stringify(name)}`);
    }
  }
  const outside = (await readdir(sandbox.base)).filter(
    (name) => name !== 'home' && name !== 'target',
  );
  for (const name of outside) {
    problems.push(`written outside the target folder: ${JSON.stringify(name)}`);
  }
  const maxRss = contract.maxRssKiB ?? DEFAULT_MAX_RSS_KIB;
  if (result.peakRssKiB > maxRss) {
    problems.push(`peak RSS ${result.peakRssKiB} KiB > ${maxRss} KiB`);
  }
  return problems;
}

/** The run, for a failure message: exit, time, memory and the output (escaped). */
export function describeRun(result: RunResult): string {
  return [
    `exit ${result.code} signal ${result.signal} after ${Math.round(result.elapsedMs)} ms`,
    `peak RSS ${result.peakRssKiB} KiB; largest files ${JSON.stringify([...result.largest])}`,
    `stdout ${JSON.stringify(result.stdout.slice(0, 2000))}`,
    `stderr ${JSON.stringify(result.stderr.slice(0, 2000))}`,
  ].join('\n');
}
