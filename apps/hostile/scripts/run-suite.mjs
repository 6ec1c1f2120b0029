// Runs one file of the hostile suite with a larger budget than CI gives it, through vitest,
// so the long run and the CI run are the same code. Used by fuzz.mjs and soak.mjs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const vitest = join(app, '..', '..', 'node_modules', 'vitest', 'vitest.mjs');

/**
 * Parses `--name value` flags into the environment variables named in `flags`
 * (e.g. { cases: 'CFTP_FUZZ_CASES' }), then runs `test/<file>` and exits with its status.
 */
export function runSuiteFile(file, flags, usage) {
  const env = { ...process.env };
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const name = args[i]?.replace(/^--/, '');
    const value = args[i + 1];
    if (name === 'help' || name === 'h' || !(name in flags) || value === undefined) {
      process.stderr.write(`${usage}\n`);
      process.exit(name === 'help' || name === 'h' ? 0 : 2);
    }
    if (!/^\d+$/.test(value)) {
      process.stderr.write(`--${name} expects a whole number\n${usage}\n`);
      process.exit(2);
    }
    env[flags[name]] = value;
    i++;
  }
  if (!existsSync(vitest)) {
    process.stderr.write('vitest is not installed: run `npm run build` at the repository root\n');
    process.exit(2);
  }
  const child = spawn(process.execPath, [vitest, 'run', `test/${file}`], {
    cwd: app,
    env,
    stdio: 'inherit',
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 1)));
}
