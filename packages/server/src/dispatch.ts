// Request dispatch for a ready session (docs/protocol.md §6): which operation each client
// message starts, through the small RequestRunner interface the session implements. The
// session keeps the states before `ready` (handshake, login) and the bookkeeping.
import {
  AbortError,
  type ClientMessage,
  type Done,
  type ErrorCode,
  type Message,
  PathError,
} from '@cftp/protocol';
import { runGetMany, runPutMany } from './batch.js';
import {
  forPeer,
  type OperationContext,
  type OperationResult,
  runGet,
  runList,
  runPut,
} from './operations.js';
import type { Operation } from './options.js';
import type { Storage } from './storage.js';
import { runTree } from './tree.js';

/** What dispatch needs from the session. */
export interface RequestRunner {
  /** Starts an operation on one path, checked and authorized first (§9). */
  start(
    id: number,
    operation: Operation,
    path: string,
    run: (ctx: OperationContext, segments: string[]) => Promise<OperationResult>,
  ): void;
  /** Starts an operation that checks its own paths (batches); `label` names it in events. */
  begin(
    id: number,
    operation: Operation,
    label: string,
    run: (ctx: OperationContext) => Promise<OperationResult>,
    files?: readonly string[],
  ): void;
  /** Parses, hides temporary names and authorizes a path (§8, §9). */
  checkedPath(operation: Operation, path: string, creates?: boolean): Promise<string[]>;
  sendError(id: number | null, code: ErrorCode, message: string): void;
  /** Answers `quit` and closes the session. */
  quit(id: number): void;
  /** Aborts request `id` (§6.4), if it is in flight. */
  abort(id: number, reason: AbortError): void;
  /** Hands the client's `done` to the upload waiting for it (§6.3), if any. */
  deliverDone(done: Done): void;
}

/** An operation without a data channel, answered by `ok` (§6.6). */
function simple(
  runner: RequestRunner,
  id: number,
  operation: Operation,
  path: string,
  act: (storage: Storage, segments: string[]) => Promise<void>,
): void {
  runner.start(id, operation, path, async (ctx, segments) => {
    await act(ctx.storage, segments);
    return { bytes: 0, reply: { type: 'ok', id } };
  });
}

/** Starts what `message` asks for, or answers it with an error. */
export function dispatchRequest(message: Message, runner: RequestRunner): void {
  const request = message as ClientMessage;
  switch (request.type) {
    case 'login':
      runner.sendError(request.id, 'EPROTO', 'already logged in, or no login needed');
      return;
    case 'hello':
      runner.sendError(request.id, 'EPROTO', 'already said hello');
      return;
    case 'quit':
      runner.quit(request.id);
      return;
    case 'abort':
      runner.abort(request.id, new AbortError('aborted by the client'));
      return;
    case 'done':
      runner.deliverDone(request);
      return;
    case 'list':
      runner.start(request.id, 'list', request.path ?? '', (ctx, segments) =>
        runList(ctx, segments),
      );
      return;
    case 'tree':
      // Authorized as a listing of `path` (§6.10): it reads what `list` would, deeper.
      runner.start(request.id, 'list', request.path ?? '', (ctx, s) => runTree(ctx, s, request));
      return;
    case 'get':
      runner.start(request.id, 'get', request.path, (ctx, segments) =>
        runGet(ctx, segments, request),
      );
      return;
    case 'put':
      runner.start(request.id, 'put', request.path, (ctx, segments) =>
        runPut(ctx, segments, request),
      );
      return;
    case 'stat':
      runner.start(request.id, 'stat', request.path, async (ctx, segments) => {
        const entry = forPeer(ctx, await ctx.storage.stat(segments));
        return { bytes: 0, reply: { type: 'ok', id: request.id, entry } };
      });
      return;
    case 'mkdir':
      simple(runner, request.id, 'mkdir', request.path, (storage, s) => storage.mkdir(s));
      return;
    case 'rmdir':
      simple(runner, request.id, 'rmdir', request.path, (storage, s) => storage.rmdir(s));
      return;
    case 'delete':
      simple(runner, request.id, 'delete', request.path, (storage, s) => storage.remove(s));
      return;
    case 'putmany':
      runner.begin(
        request.id,
        'put',
        `${request.files.length} files`,
        async (ctx) => {
          const files = [];
          for (const file of request.files) {
            const segments = await runner.checkedPath('put', file.path);
            files.push({ segments, size: file.size, mtime: file.mtime, mode: file.mode });
          }
          return runPutMany(ctx, request, files);
        },
        request.files.map((file) => file.path),
      );
      return;
    case 'getmany':
      runner.begin(
        request.id,
        'get',
        `${request.paths.length} files`,
        async (ctx) => {
          const paths = [];
          for (const path of request.paths) paths.push(await runner.checkedPath('get', path));
          return runGetMany(ctx, request, paths);
        },
        request.paths,
      );
      return;
    case 'symlink':
      // Creating an entry, as put does: the same permission and new-name checks (§6.9, §9).
      simple(runner, request.id, 'put', request.path, (storage, s) => {
        if (storage.symlink === undefined) {
          throw new PathError('EACCES', 'this server does not store symlinks');
        }
        return storage.symlink(s, request.target);
      });
      return;
    case 'rename':
      simple(runner, request.id, 'rename', request.from, async (storage, from) => {
        const to = await runner.checkedPath('rename', request.to, true);
        await storage.rename(from, to);
      });
      return;
    default:
      runner.sendError(message.id, 'EPROTO', `"${message.type}" is not a client message`);
  }
}
