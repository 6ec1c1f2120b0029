// Reads vitest JSON report(s) and prints the closing line `N passed, N failed, N skipped`.
// Exits 1 when a report is missing or unreadable, or when anything failed. `--run-status N`
// is vitest's exit code: a run that failed with no failed test in its report (an unhandled
// error or rejection, which vitest reports beside the tests) counts as one failure.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
let broken = false;
let runStatus = 0;
let reportFailed = 0;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--extra-passed') passed += Number(args[++i]);
  else if (arg === '--extra-failed') failed += Number(args[++i]);
  else if (arg === '--run-status') runStatus = Number(args[++i]);
  else {
    try {
      const report = JSON.parse(readFileSync(arg, 'utf8'));
      passed += report.numPassedTests;
      failed += report.numFailedTests;
      reportFailed += report.numFailedTests;
      skipped += report.numPendingTests + report.numTodoTests;
      // A suite that failed to load (syntax error, import error) has no tests: count it.
      for (const suite of report.testResults ?? []) {
        if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) {
          failed += 1;
          reportFailed += 1;
        }
      }
    } catch (error) {
      console.error(`summary: cannot read ${arg}: ${error.message}`);
      broken = true;
      failed += 1;
    }
  }
}
if (runStatus !== 0 && reportFailed === 0 && !broken) {
  console.error(
    `summary: vitest exited ${runStatus} with no failed test: an unhandled error counts as one failure`,
  );
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(broken || failed > 0 ? 1 : 0);
