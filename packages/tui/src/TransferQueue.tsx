// The transfer queue, always on screen under the panes: one row per item with direction,
// name, progress bar, percentage, rate, ETA and state (failed items show the error code).
// When it has the focus, a `>` marks the item that x (cancel/remove) and r (retry) act on.
// Without the focus it follows the action (the running items, else the newest), and a last
// row says how many items are off-screen (`+5 more`), so a running transfer is never hidden.
import { escapeControls } from '@cftp/protocol';
import { Box, Text } from 'ink';
import { alignRight, fit, formatEta, formatRate, progressBar } from './format.js';
import { useScrollStart } from './scroll.js';
import type { TransferItem, TransferState } from './transfers.js';

export interface TransferQueueProps {
  items: TransferItem[];
  cursor: number;
  focused: boolean;
  /** Total size, borders included. */
  width: number;
  height: number;
}

const STATE_COLORS: Record<TransferState, string | undefined> = {
  queued: undefined,
  running: 'cyan',
  done: 'green',
  failed: 'red',
  cancelled: 'yellow',
};

/** How far an item is, 0…1 (a folder without byte totals counts files). */
export function fractionDone(item: TransferItem): number {
  if (item.state === 'done') return 1;
  if (item.total !== undefined && item.total > 0) return item.bytes / item.total;
  if (item.totalFiles !== undefined && item.totalFiles > 0) return item.files / item.totalFiles;
  return 0;
}

/**
 * Where the unfocused queue looks: the last running item (minimal scrolling keeps the ones
 * before it in view too), else the first queued one, else the newest item.
 */
export function queueAnchor(items: readonly TransferItem[]): number {
  let running = -1;
  items.forEach((item, index) => {
    if (item.state === 'running') running = index;
  });
  if (running >= 0) return running;
  const queued = items.findIndex((item) => item.state === 'queued');
  return queued >= 0 ? queued : Math.max(0, items.length - 1);
}

/** `+5 more`: the items off-screen, split into above and below when both exist. */
export function moreLabel(above: number, below: number): string {
  const total = above + below;
  if (above > 0 && below > 0) return `+${total} more (${above} above, ${below} below)`;
  return `+${total} more${above > 0 ? ' above' : ''}`;
}

export function stateLabel(item: TransferItem): string {
  if (item.state === 'failed') return `failed ${item.error?.code ?? ''}`.trimEnd();
  return item.state;
}

/** Seconds left at the current rate, when it can be told. */
export function etaSeconds(item: TransferItem): number | undefined {
  if (item.state !== 'running' || item.rate <= 0 || item.total === undefined) return undefined;
  return Math.max(0, item.total - item.bytes) / item.rate;
}

export function queueColumns(inner: number): { name: number; bar: number; state: number } {
  const bar = Math.max(10, Math.min(30, Math.floor(inner / 8)));
  // A failed row ends `failed ECONNECTION`; the extra cell keeps it off the border.
  const state = 19;
  // marker, "get", then space-separated: name, bar, pct(4), rate(10), eta(7), state
  const fixed = 1 + 3 + 1 + 1 + bar + 1 + 4 + 1 + 10 + 1 + 7 + 1 + state;
  return { name: Math.max(6, inner - fixed), bar, state };
}

/** One queue row, exactly `inner` cells wide. */
export function queueRow(item: TransferItem, inner: number, cursor: boolean): string {
  const columns = queueColumns(inner);
  const fraction = fractionDone(item);
  const files =
    item.kind === 'tree' && item.totalFiles !== undefined
      ? ` ${item.files}/${item.totalFiles} files`
      : '';
  const pct = item.state === 'queued' ? '' : `${Math.floor(fraction * 100)}%`;
  const rate = item.state === 'running' || item.state === 'done' ? formatRate(item.rate) : '';
  const eta = item.state === 'running' ? formatEta(etaSeconds(item)) : '';
  const row = [
    `${cursor ? '>' : ' '}${item.direction}`,
    fit(`${escapeControls(item.name)}${files}`, columns.name),
    progressBar(fraction, columns.bar),
    alignRight(pct, 4),
    alignRight(rate, 10),
    alignRight(eta, 7),
    fit(stateLabel(item), columns.state),
  ].join(' ');
  return fit(row, inner);
}

function summary(items: TransferItem[]): string {
  const counts = new Map<TransferState, number>();
  for (const item of items) counts.set(item.state, (counts.get(item.state) ?? 0) + 1);
  const order: TransferState[] = ['running', 'queued', 'done', 'failed', 'cancelled'];
  const parts = order
    .filter((state) => (counts.get(state) ?? 0) > 0)
    .map((state) => `${counts.get(state)} ${state}`);
  return parts.length === 0 ? 'empty' : parts.join(' · ');
}

export function TransferQueue({ items, cursor, focused, width, height }: TransferQueueProps) {
  const inner = Math.max(20, width - 2);
  const rows = Math.max(1, height - 3);
  // When not all fit, the last row says how many are hidden.
  const itemRows = items.length > rows ? Math.max(1, rows - 1) : rows;
  const follow = focused ? cursor : queueAnchor(items);
  const start = useScrollStart(follow, itemRows, items.length);
  const shown = items.slice(start, start + itemRows);
  const above = start;
  const below = Math.max(0, items.length - start - shown.length);
  const selected = focused ? items[cursor] : undefined;
  const detail =
    selected?.state === 'failed' && selected.error !== undefined
      ? `  ${escapeControls(selected.error.message)}`
      : '';
  return (
    <Box
      flexDirection="column"
      width={width}
      height={height}
      borderStyle={focused ? 'double' : 'single'}
      borderColor={focused ? 'cyan' : 'gray'}
      overflow="hidden"
    >
      <Text wrap="truncate">
        <Text bold={focused} color={focused ? 'cyan' : undefined}>
          Transfers
        </Text>
        <Text dimColor>{`  ${summary(items)}`}</Text>
        <Text color="red">{detail}</Text>
      </Text>
      {items.length === 0 ? (
        <Text dimColor wrap="truncate">
          {'   Nothing queued. Mark entries with Space, then c copies them to the other side.'}
        </Text>
      ) : null}
      {shown.map((item, index) => {
        const isCursor = focused && start + index === cursor;
        return (
          <Text key={item.id} color={STATE_COLORS[item.state]} inverse={isCursor} wrap="truncate">
            {queueRow(item, inner, isCursor)}
          </Text>
        );
      })}
      {above + below > 0 ? (
        <Text dimColor wrap="truncate">{`    ${moreLabel(above, below)}`}</Text>
      ) : null}
    </Box>
  );
}
