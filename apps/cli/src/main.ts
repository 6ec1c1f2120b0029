#!/usr/bin/env node
// The `cftp` command's entry. It checks the Node it runs on against the package's `engines`
// (node-check.ts) and only then loads the commands (program.ts), so an older Node gets one
// sentence and exit code 2 instead of a SyntaxError from a module it cannot link. Only Node
// built-ins and modules without imports here: they load on every Node line.
import { readFileSync } from 'node:fs';
import { EXIT_USAGE } from './exit-codes.js';
import { nodeProblem } from './node-check.js';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  engines?: { node?: string };
};
const problem = nodeProblem(process.versions.node, manifest.engines?.node ?? '');
if (problem === undefined) {
  await import('./program.js');
} else {
  process.stderr.write(`cftp: ${problem}\n`);
  process.exitCode = EXIT_USAGE;
}
