// Label values for `cftp server --metrics` (docs/server.md, "Metrics"). Every label comes from
// a closed set, whatever the engine or a client sends, so a Prometheus series count stays
// bounded: a path, a user name or an unexpected code can never become a label value.
import { ERROR_CODES, type ErrorCode, isErrorCode } from '@cftp/protocol';

/** The operations the engine reports (`Operation` in @cftp/server), in the order docs list them. */
export const OPERATION_LABELS = [
  'list',
  'get',
  'put',
  'stat',
  'mkdir',
  'rmdir',
  'delete',
  'rename',
] as const;

/** Whatever is not in a closed set is counted under this one value. */
export const OTHER = 'other';

export type OperationLabel = (typeof OPERATION_LABELS)[number] | typeof OTHER;
export type CodeLabel = ErrorCode | typeof OTHER;
/** `canceled`: stopped by the client (ECANCELED); `error`: any other failure. */
export type OutcomeLabel = 'ok' | 'canceled' | 'error';
/** `in`: client to server (put); `out`: server to client (get). */
export type DirectionLabel = 'in' | 'out';

export const OUTCOME_LABELS: readonly OutcomeLabel[] = ['ok', 'canceled', 'error'];
export const DIRECTION_LABELS: readonly DirectionLabel[] = ['in', 'out'];
export const CODE_LABELS: readonly CodeLabel[] = [...ERROR_CODES, OTHER];

const OPERATIONS: ReadonlySet<string> = new Set(OPERATION_LABELS);

export function operationLabel(operation: unknown): OperationLabel {
  return typeof operation === 'string' && OPERATIONS.has(operation)
    ? (operation as OperationLabel)
    : OTHER;
}

/** An error code of docs/protocol.md §11, or `other`. */
export function codeLabel(code: unknown): CodeLabel {
  return isErrorCode(code) ? code : OTHER;
}

/** The engine's outcome (`ok` or an error code) folded into three values. */
export function outcomeLabel(outcome: unknown): OutcomeLabel {
  if (outcome === 'ok') return 'ok';
  return outcome === 'ECANCELED' ? 'canceled' : 'error';
}

/**
 * Which way an operation moves file data, or undefined when it moves none. A listing's
 * bytes are not file data, so `list` has no direction and adds nothing to the byte counter.
 */
export function directionOf(operation: unknown): DirectionLabel | undefined {
  if (operation === 'put') return 'in';
  if (operation === 'get') return 'out';
  return undefined;
}
