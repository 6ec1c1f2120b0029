#!/usr/bin/env node
// `npm run bench [-- --quick]`: runs the bench suite, prints a markdown table on stdout and
// writes bench-results.json at the repository root (see docs/performance.md).
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchConfig, SCENARIOS, type ScenarioId } from './config.js';
import { REPO_ROOT } from './layout.js';
import { renderMarkdown } from './results.js';
import { runSuite } from './suite.js';

const USAGE = `usage: npm run bench -- [options]
  --quick            small sizes, few runs, no targets (the CI smoke run)
  --out FILE         results JSON (default: bench-results.json at the repository root)
  --only IDS         comma-separated scenarios: ${SCENARIOS.join(', ')}
  --no-peers         skip ftp-srv and vsftpd
  --runs N           runs per large-file and many-files scenario
  --strategy NAME    CFTP many-files client: auto (default: batches when the server offers
                     them), engine-batch, engine-concurrent
  --profile DIR      write V8 CPU profiles (--cpu-prof) of the main CFTP server here
  --help`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
    'no-peers': { type: 'boolean', default: false },
    runs: { type: 'string' },
    strategy: { type: 'string' },
    profile: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const config = benchConfig(values.quick);
if (values['no-peers']) config.peers = false;
if (values.strategy !== undefined) config.manyFilesStrategy = values.strategy;
if (values.profile !== undefined) config.profileDir = resolve(values.profile);
if (values.runs !== undefined) {
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`--runs wants a whole number ≥ 1\n${USAGE}\n`);
    process.exit(2);
  }
  config.largeRuns = runs;
  config.smallRuns = runs;
}
if (values.only !== undefined) {
  const ids = values.only.split(',').map((id) => id.trim());
  const unknown = ids.filter((id) => !(SCENARIOS as readonly string[]).includes(id));
  if (unknown.length > 0) {
    process.stderr.write(`unknown scenario(s): ${unknown.join(', ')}\n${USAGE}\n`);
    process.exit(2);
  }
  config.only = new Set(ids as ScenarioId[]);
}

const out = resolve(values.out ?? `${REPO_ROOT}bench-results.json`);
const results = await runSuite(config);
process.stdout.write(renderMarkdown(results));
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
process.stderr.write(`bench: results written to ${out}\n`);
