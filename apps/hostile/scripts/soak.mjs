#!/usr/bin/env node
// Sessions opened and closed in a loop, with descriptors and memory before and after:
// `node apps/hostile/scripts/soak.mjs --sessions 10000` (CI runs test/soak.test.ts with fewer).
import { runSuiteFile } from './run-suite.mjs';

runSuiteFile(
  'soak.test.ts',
  { sessions: 'CFTP_SOAK_SESSIONS' },
  'usage: node apps/hostile/scripts/soak.mjs [--sessions N]',
);
