// `sync` at the `ftp>` prompt (and so `cftp sync`, which runs it on a fresh session): keep a
// destination tree in step with a source tree, one of them on the server, written `:PATH`
// (`:/` is the server's root, `:dir` is below the current server folder). The engine plans
// and acts (@cftp/client sync); this file turns the words into options and the outcome into
// the summary line, the -v list, or one JSON object per action (written as soon as the plan
// is known, before anything changes; the result object last).
import type { PlanItem, SyncPlan, SyncResult, SyncSkip } from '@cftp/client';
import { CftpError } from '@cftp/client';
import type { Call } from './context.js';
import { aboutPath, usageError } from './errors.js';
import { humanSize } from './format.js';
import { resolveLocal } from './local-path.js';
import { type CommandOutcome, outcome } from './output.js';
import { displayRemote, REMOTE_ROOT, resolveRemote } from './remote-path.js';
import { parseSyncArgs } from './sync-args.js';

/** `:/a/b` from the root, `:a/b` from the current server folder. */
function remotePathOf(cwd: string, text: string): string {
  if (text.startsWith('/')) {
    const below = text.replace(/^\/+/, '');
    return below === '' ? REMOTE_ROOT : resolveRemote(REMOTE_ROOT, below);
  }
  return resolveRemote(cwd, text === '' ? '.' : text);
}

function itemJson(item: PlanItem): Record<string, unknown> {
  const target = (item.source ?? item.target)?.target;
  return {
    action: item.action,
    path: item.path,
    reason: item.reason,
    type: item.type,
    size: (item.source ?? item.target)?.size ?? 0,
    ...(item.type === 'symlink' && target !== undefined ? { target } : {}),
  };
}

const skipJson = (skip: SyncSkip) => ({
  action: 'skip',
  path: skip.path,
  reason: skip.reason,
  ...(skip.target === undefined ? {} : { target: skip.target }),
});

/** Every plan line, as `--json` prints them before the run. */
const planJson = (plan: SyncPlan) =>
  [...plan.copy, ...plan.remove, ...plan.after, ...plan.unchanged]
    .map(itemJson)
    .concat(plan.skipped.map(skipJson));

/** `skip a/b -> ../c (symlink)` for -v. */
const skipLine = (skip: SyncSkip) =>
  `skip ${skip.path}${skip.target === undefined ? '' : ` -> ${skip.target}`} (${skip.reason})`;

/** `3 updated, 1 created, 0 deleted, 4061 unchanged, 2.1 MiB moved` */
export function syncSummary(result: SyncResult): string {
  const { created, updated, deleted, unchanged } = result.summary;
  const skipped = result.plan.skipped.length;
  const tail = skipped > 0 ? `, ${skipped} skipped` : '';
  if (result.dryRun) {
    return `dry run: ${updated} to update, ${created} to create, ${deleted} to delete, ${unchanged} unchanged, ${humanSize(result.summary.bytes)} to move${tail}`;
  }
  return `${updated} updated, ${created} created, ${deleted} deleted, ${unchanged} unchanged, ${humanSize(result.bytes)} moved${tail}`;
}

export async function syncCommand(call: Call): Promise<CommandOutcome> {
  const { session, signal } = call;
  const args = parseSyncArgs(call.args);
  const srcRemote = args.src.startsWith(':');
  if (srcRemote === args.dst.startsWith(':')) {
    throw usageError(
      'one side of sync is on the server, written :PATH (:/ is its root): sync ./site :/www, sync :/www ./site',
    );
  }
  const sync = session.fs.sync;
  if (sync === undefined) throw new CftpError('EPROTO', 'this session cannot sync');
  const remote = remotePathOf(session.remoteCwd, (srcRemote ? args.src : args.dst).slice(1));
  const local = resolveLocal(session.localCwd, srcRemote ? args.dst : args.src);
  const direction = srcRemote ? 'get' : 'put';
  const shownRemote = displayRemote(remote);
  const [from, to] = srcRemote ? [shownRemote, local] : [local, shownRemote];
  const warnings: unknown[] = [];
  const task = session.progress.begin('sync', `${from} -> ${to}`);
  let result: SyncResult;
  try {
    result = await sync({
      direction,
      local,
      remote,
      delete: args.delete,
      dryRun: args.dryRun,
      checksum: args.checksum,
      preserve: args.preserve,
      noClobber: args.noClobber,
      rules: args.rules,
      ...(args.links === undefined ? {} : { links: args.links }),
      signal,
      onPlan: (plan) => {
        // Built only for --json: a line for each of 10 000 unchanged files costs.
        const emit = call.emit;
        if (emit !== undefined) for (const line of planJson(plan)) emit(line);
      },
      onWarning: (warning) => warnings.push(warning),
      onProgress: (p) =>
        task.update({
          bytes: p.bytes,
          total: p.totalBytes,
          resumed: p.resumed,
          note: `${p.files}/${p.totalFiles} files`,
        }),
    });
  } catch (error) {
    throw aboutPath(error, srcRemote ? shownRemote : local);
  } finally {
    task.end();
  }
  const { plan } = result;
  if (plan.deleteRefused !== undefined && !result.dryRun) {
    // The copies are done; a --delete that could not run is still a failed sync.
    throw new CftpError(
      'EIO',
      `sync ${from} -> ${to}: copies done, but --delete refused: ${plan.deleteRefused}`,
    );
  }
  const items = [...plan.copy, ...plan.remove, ...plan.after];
  const lines = args.verbose
    ? [
        ...items.map((item) => `${item.action} ${item.path} (${item.reason})`),
        ...plan.skipped.map(skipLine),
      ]
    : [];
  lines.push(syncSummary(result));
  const done = outcome(
    {
      direction,
      from,
      to,
      dryRun: result.dryRun,
      ...result.summary,
      skipped: plan.skipped.length,
      bytes: result.dryRun ? result.summary.bytes : result.bytes,
      ms: Math.round(result.durationMs),
    },
    lines,
  );
  return { ...done, warnings };
}
