// The bottom line: the main keys for the focused area, generated from the key table. When
// the terminal is narrow, items are dropped from the middle; the pinned ones (the queue,
// help and quit: how to reach everything else) always stay.
import { Text } from 'ink';
import { type Binding, helpLineItems, pinnedLabels } from './keys.js';

export interface HelpLineProps {
  bindings: readonly Binding[];
  area: 'pane' | 'queue';
  width: number;
}

/**
 * The items that fit in `width` cells, as `[key, label]` pairs, in their order: the pinned
 * labels (default: the last two) always, then the others from the start while they fit.
 */
export function fittingItems(
  items: [string, string][],
  width: number,
  pinned: ReadonlySet<string> = new Set(items.slice(-2).map(([, label]) => label)),
): [keys: string, label: string][] {
  const cost = (item: [string, string]) => item[0].length + 1 + item[1].length + 2;
  let used = items.filter(([, label]) => pinned.has(label)).reduce((sum, i) => sum + cost(i), 0);
  const kept = new Set<string>();
  for (const item of items) {
    if (pinned.has(item[1])) continue;
    if (used + cost(item) > width) break;
    kept.add(item[1]);
    used += cost(item);
  }
  return items.filter(([, label]) => pinned.has(label) || kept.has(label));
}

export function HelpLine({ bindings, area, width }: HelpLineProps) {
  const items = fittingItems(helpLineItems(bindings, area), width, pinnedLabels(bindings));
  return (
    <Text wrap="truncate">
      {items.map(([keys, label], index) => (
        <Text key={label}>
          {index > 0 ? '  ' : ''}
          <Text bold color="cyan">
            {keys}
          </Text>
          {` ${label}`}
        </Text>
      ))}
    </Text>
  );
}
