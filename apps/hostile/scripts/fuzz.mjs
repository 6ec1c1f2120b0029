#!/usr/bin/env node
// A long live-server fuzz run: `node apps/hostile/scripts/fuzz.mjs --cases 100000 [--seed N]`.
// The same test as CI's bounded run (test/fuzz.test.ts); the figures line reports the seed.
import { runSuiteFile } from './run-suite.mjs';

runSuiteFile(
  'fuzz.test.ts',
  { cases: 'CFTP_FUZZ_CASES', seed: 'CFTP_FUZZ_SEED' },
  'usage: node apps/hostile/scripts/fuzz.mjs [--cases N] [--seed N]',
);
