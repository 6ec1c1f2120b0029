// Preloaded with `node --import` into a process the harness does not own (the cftp CLI
// client): at exit, writes the process's CPU time and peak RSS as JSON to the file named
// by CFTP_BENCH_USAGE_FILE. Reading /proc after the process is reaped is no longer possible.
import { writeFileSync } from 'node:fs';
import { selfUsage, USAGE_FILE_ENV } from './usage.js';

const file = process.env[USAGE_FILE_ENV];
if (file !== undefined && file !== '') {
  process.on('exit', () => {
    try {
      writeFileSync(file, JSON.stringify(selfUsage()));
    } catch {
      // the harness notices the missing figures
    }
  });
}
