// The bottom line: the main keys for the focused area, generated from the key table. When
// the terminal is narrow, items are dropped from the middle; help and quit always stay.
import { Text } from 'ink';
import { type Binding, helpLineItems } from './keys.js';

export interface HelpLineProps {
  bindings: readonly Binding[];
  area: 'pane' | 'queue';
  width: number;
}

/** The items that fit in `width` cells, as `[key, label]` pairs. */
export function fittingItems(
  items: [string, string][],
  width: number,
): [keys: string, label: string][] {
  const cost = (item: [string, string]) => item[0].length + 1 + item[1].length + 2;
  const tail = items.slice(-2);
  let used = tail.reduce((sum, item) => sum + cost(item), 0);
  const head: [string, string][] = [];
  for (const item of items.slice(0, -2)) {
    if (used + cost(item) > width) break;
    head.push(item);
    used += cost(item);
  }
  return [...head, ...tail];
}

export function HelpLine({ bindings, area, width }: HelpLineProps) {
  const items = fittingItems(helpLineItems(bindings, area), width);
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
