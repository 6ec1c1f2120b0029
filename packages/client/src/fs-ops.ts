// Remote file-system operations with a single `ok` reply and no data channel (§6.6).
import {
  type ClientMessage,
  type Entry,
  LINKS_FEATURE,
  PathError,
  ProtocolError,
} from '@cftp/protocol';
import type { OperationOptions, Reply, Session } from './types.js';

function simple(
  session: Session,
  options: OperationOptions,
  start: (id: number) => ClientMessage,
): Promise<Reply<'ok'>> {
  return session.operation(options.signal, start, (exchange) => exchange.expect('ok'));
}

/** Describes one remote entry, not following a final symlink (§6.6). */
export async function stat(
  session: Session,
  path: string,
  options: OperationOptions,
): Promise<Entry> {
  const ok = await simple(session, options, (id) => ({ type: 'stat', id, path }));
  if (ok.entry === undefined) throw new ProtocolError('EPROTO', 'stat reply has no entry');
  return ok.entry;
}

/** Creates one remote folder; its parent must exist (§6.6). */
export async function mkdir(
  session: Session,
  path: string,
  options: OperationOptions,
): Promise<void> {
  await simple(session, options, (id) => ({ type: 'mkdir', id, path }));
}

/** Removes an empty remote folder (§6.6). */
export async function rmdir(
  session: Session,
  path: string,
  options: OperationOptions,
): Promise<void> {
  await simple(session, options, (id) => ({ type: 'rmdir', id, path }));
}

/** Removes a remote file or symlink (§6.6). */
export async function remove(
  session: Session,
  path: string,
  options: OperationOptions,
): Promise<void> {
  await simple(session, options, (id) => ({ type: 'delete', id, path }));
}

/** Renames or moves a remote entry; never replaces an existing `to` (§6.6). */
export async function rename(
  session: Session,
  from: string,
  to: string,
  options: OperationOptions,
): Promise<void> {
  await simple(session, options, (id) => ({ type: 'rename', id, from, to }));
}

/**
 * Creates the remote symlink `path` holding `target` (feature `links`, §6.9): the server
 * refuses one that leads outside its root (EACCES) or a name that is taken (EEXIST). A server
 * without the feature is never sent the request: EACCES here.
 */
export async function symlink(
  session: Session,
  path: string,
  target: string,
  options: OperationOptions,
): Promise<void> {
  if (session.server?.features.includes(LINKS_FEATURE) !== true) {
    throw new PathError('EACCES', `the server does not offer symlinks: "${path}"`, { path });
  }
  await simple(session, options, (id) => ({ type: 'symlink', id, path, target }));
}
