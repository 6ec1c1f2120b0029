// Starts the real S3 store for this project (../shared/s3/s3-up.sh: a single-node Ceph
// cluster with the RADOS Gateway, installed from Debian packages on first use) and stops
// it after the run with s3-down.sh, unless it was already running before: then it belongs
// to someone else. A store that does not start fails the run with the script's stderr;
// these tests are never skipped. The apt output stays in the script's own log file.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

export interface S3Env {
  S3_ENDPOINT: string;
  S3_ACCESS_KEY: string;
  S3_SECRET_KEY: string;
  S3_BUCKET: string;
  S3_REGION: string;
}

declare module 'vitest' {
  interface ProvidedContext {
    s3: S3Env;
    /** The store and every object in it are removed when this run ends (s3-down.sh). */
    s3Disposable: boolean;
  }
}

/** Beside the repository, as the brief of issue 17 places it: `<repo>/../shared/s3`. */
const SCRIPTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/s3');

function run(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('bash', [resolve(SCRIPTS, script)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const up = await run('s3-up.sh');
  if (up.code !== 0) {
    throw new Error(
      `the S3 store did not start (${SCRIPTS}/s3-up.sh exit ${up.code}):\n${up.stderr}`,
    );
  }
  const env: Record<string, string> = {};
  for (const line of up.stdout.split('\n')) {
    const match = /^(S3_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (match !== null) env[match[1]!] = match[2]!;
  }
  const keys = ['S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_BUCKET', 'S3_REGION'] as const;
  const missing = keys.filter((key) => env[key] === undefined);
  if (missing.length > 0) {
    throw new Error(`s3-up.sh printed no ${missing.join(', ')}:\n${up.stdout}\n${up.stderr}`);
  }
  project.provide('s3', env as unknown as S3Env);
  const ours = !/already running/.test(up.stderr);
  project.provide('s3Disposable', process.env.S3_KEEP !== '1' && (ours || startedByTestScript()));
  return async () => {
    if (!ours) return;
    const down = await run('s3-down.sh');
    if (down.code !== 0) throw new Error(`s3-down.sh exit ${down.code}:\n${down.stderr}`);
  };
}

/**
 * `npm test` (scripts/test.sh) starts the store beside the build and stops it with
 * s3-down.sh at exit unless it was already running; it names its s3-up.sh log in
 * CFTP_S3_UP_LOG. s3-up.sh runs under a lock, so by the time this set-up's own s3-up.sh has
 * returned, that log is complete.
 */
function startedByTestScript(): boolean {
  const log = process.env.CFTP_S3_UP_LOG;
  if (log === undefined || log === '') return false;
  try {
    return !/already running/.test(readFileSync(log, 'utf8'));
  } catch {
    return false;
  }
}
