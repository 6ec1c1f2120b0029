// Many CFTP sessions from one process. `transfer`: every session connects, puts a file,
// gets it back and quits, all at once. `idle`: opens the sessions, says so on stdout, and
// holds them until its stdin ends, so the harness can weigh the server's memory per session.
import { join } from 'node:path';
import { type CftpClient, connect } from '@cftp/client';
import { type CftpTarget, connectOptions, describeError, report, workerArgs } from './io.js';

export interface SessionsArgs extends CftpTarget {
  mode: 'transfer' | 'idle';
  sessions: number;
  /** `transfer`: the local file each session uploads. */
  localFile?: string;
  /** `transfer`: remote folder for the uploads. */
  remoteDir?: string;
  /** `transfer`: local folder for the downloads. */
  localDir?: string;
}

export interface SessionsResult {
  sessions: number;
  ms: number;
  errors: number;
  firstError?: string;
}

const args = workerArgs<SessionsArgs>();
const errors: string[] = [];
const started = performance.now();

if (args.mode === 'transfer') {
  const { localFile, remoteDir, localDir } = args;
  if (localFile === undefined || remoteDir === undefined || localDir === undefined) {
    throw new Error('transfer needs localFile, remoteDir and localDir');
  }
  await Promise.all(
    Array.from({ length: args.sessions }, async (_, i) => {
      const name = `s${String(i).padStart(4, '0')}.bin`;
      try {
        const client = await connect(connectOptions(args));
        try {
          await client.put(localFile, `${remoteDir}/${name}`);
          await client.get(`${remoteDir}/${name}`, join(localDir, name));
        } finally {
          await client.quit();
        }
      } catch (error) {
        errors.push(describeError(error));
      }
    }),
  );
  report({
    sessions: args.sessions,
    ms: performance.now() - started,
    errors: errors.length,
    firstError: errors[0],
  } satisfies SessionsResult);
} else {
  const clients: CftpClient[] = [];
  await Promise.all(
    Array.from({ length: args.sessions }, async () => {
      try {
        clients.push(await connect(connectOptions(args)));
      } catch (error) {
        errors.push(describeError(error));
      }
    }),
  );
  process.stdout.write(`${JSON.stringify({ open: clients.length })}\n`);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  await Promise.all(clients.map((client) => client.quit()));
  report({
    sessions: clients.length,
    ms: performance.now() - started,
    errors: errors.length,
    firstError: errors[0],
  } satisfies SessionsResult);
}
