// What `cftp server` logs (docs/server.md, "Logs"): one pino record per session event and per
// operation of the engine, a batch with every file it named. The format is server-log.ts's.
import { escapeControls } from '@cftp/protocol';
import type { CftpServer, OperationEvent } from '@cftp/server';
import type { Logger } from 'pino';

/** A batch logs at most this many names (then a count): a log line stays bounded. */
export const LOG_MAX_FILES = 1000;

/** The record of one operation; a batch's file names in `files`, bounded. */
export function operationRecord(e: OperationEvent): Record<string, unknown> {
  const record: Record<string, unknown> = {
    session: e.session.id,
    peer: e.session.remoteAddress,
    op: e.operation,
    path: e.path,
    bytes: e.bytes,
    ms: Math.round(e.durationMs),
    outcome: e.outcome,
  };
  if (e.files !== undefined) {
    record.files = e.files.slice(0, LOG_MAX_FILES);
    if (e.files.length > LOG_MAX_FILES) record.filesLeftOut = e.files.length - LOG_MAX_FILES;
  }
  return record;
}

export function logServerEvents(server: CftpServer, log: Logger): void {
  server.on('login', (s) =>
    log.info({ session: s.id, peer: s.remoteAddress, user: s.user }, 'login'),
  );
  server.on('loginFailed', (f) =>
    log.warn(
      { session: f.session.id, peer: f.session.remoteAddress, user: f.user, blocked: f.blocked },
      'login failed',
    ),
  );
  server.on('tlsError', (f) =>
    log.warn({ peer: f.remoteAddress, error: f.message }, 'TLS handshake failed'),
  );
  server.on('session', (s) =>
    log.info({ session: s.id, peer: s.remoteAddress, port: s.remotePort }, 'session open'),
  );
  server.on('sessionClose', (s, reason) =>
    log.info({ session: s.id, peer: s.remoteAddress, reason }, 'session close'),
  );
  server.on('refused', (c) =>
    log.warn({ peer: c.remoteAddress, port: c.remotePort, reason: c.reason }, 'session refused'),
  );
  server.on('sweep', (result) =>
    log.info({ ...result, ms: Math.round(result.durationMs) }, 'sweep'),
  );
  server.on('operation', (e) => log.info(operationRecord(e), e.operation));
  server.on('listingSkipped', (e) =>
    log.warn(
      { session: e.session.id, peer: e.session.remoteAddress, path: e.path, skipped: e.skipped },
      // The line of docs/protocol.md §13.6; the path is escaped (§9.1).
      `list "${escapeControls(e.path)}": ${e.skipped === 1 ? '1 entry left out, its name' : `${e.skipped} entries left out, their names`} cannot be carried`,
    ),
  );
  server.on('error', (error) => log.error({ err: error }, 'server error'));
}
