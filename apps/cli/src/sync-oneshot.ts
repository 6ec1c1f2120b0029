// `cftp sync [options] SRC DST`: one side local, the other `[user@]HOST:PORT:/path`, either
// way. Checks the words before connecting (a usage error costs no session), connects, and
// runs the prompt's `sync` with the server side written `:/path` (sync-command.ts).
import { parseRemoteAddress, type RemoteAddress } from './address.js';
import { connectOrReport, makeOutput, makeProgress, type OutputOptions } from './client-command.js';
import { createSession } from './client-session.js';
import { usageError } from './errors.js';
import { EXIT_CONNECT, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { splitUser } from './flags.js';
import { remoteFs } from './remote-fs.js';
import { runCommandWords } from './run-command.js';
import { parseSyncArgs, type SyncArgs } from './sync-args.js';

/** `user@host:port:/path` as the server side, or undefined for a local path. */
function serverSide(
  text: string,
): { user: string | undefined; address: RemoteAddress } | undefined {
  const head = text.split('/')[0]!;
  const { user, host } = splitUser(head);
  try {
    return { user, address: parseRemoteAddress(host + text.slice(head.length)) };
  } catch {
    return undefined;
  }
}

/** The prompt's words for these options, the server side as `:/path`. */
function promptWords(args: SyncArgs, src: string, dst: string): string[] {
  return [
    'sync',
    ...(args.delete ? ['--delete'] : []),
    ...(args.dryRun ? ['--dry-run'] : []),
    ...(args.checksum ? ['--checksum'] : []),
    ...(args.verbose ? ['-v'] : []),
    ...(args.noClobber ? ['-n'] : []),
    ...(args.preserve ? ['-p'] : []),
    ...(args.links === 'follow' ? ['-L'] : args.links === 'recreate' ? ['-l'] : []),
    ...args.rules.flatMap((rule) => [`--${rule.kind}=${rule.pattern}`]),
    '--',
    src,
    dst,
  ];
}

export async function runSyncOneShot(
  words: readonly string[],
  options: OutputOptions,
): Promise<number> {
  const output = makeOutput(options, false);
  let args: SyncArgs;
  try {
    if (options.progress && !options.json) throw usageError('--progress goes with --json');
    args = parseSyncArgs(words);
  } catch (error) {
    output.failure('sync', error);
    return EXIT_USAGE;
  }
  const from = serverSide(args.src);
  const to = serverSide(args.dst);
  const server = from ?? to;
  if (server === undefined || (from !== undefined && to !== undefined)) {
    output.failure(
      'sync',
      usageError(
        'sync needs one local folder and one HOST:PORT:/path (cftp sync ./site host:2121:/www)',
      ),
    );
    return EXIT_USAGE;
  }
  const { user, address } = server;
  const client = await connectOrReport(
    user === undefined ? address.host : `${user}@${address.host}`,
    address.port,
    options,
    output,
  );
  if (client === undefined) return EXIT_CONNECT;
  const session = createSession(remoteFs(client), makeProgress(options, output), process.cwd());
  const remote = `:/${address.path === '.' ? '' : address.path}`;
  const [src, dst] = from === undefined ? [args.src, remote] : [remote, args.dst];
  const run = await runCommandWords(
    session,
    output,
    promptWords(args, src, dst),
    new AbortController().signal,
  );
  await client.quit().catch(() => {});
  if (run.ok) return EXIT_OK;
  return run.code === 'EUSAGE' ? EXIT_USAGE : EXIT_FAILED;
}
