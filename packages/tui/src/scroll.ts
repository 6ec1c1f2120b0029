// Which slice of a long list fits on screen: the window moves only as far as it must to
// keep the cursor visible (like mc and lazygit), so the list does not jump under the user.
import { useRef } from 'react';

/** The first visible index for a list of `length` rows shown `rows` at a time. */
export function scrollStart(
  previous: number,
  cursor: number,
  rows: number,
  length: number,
): number {
  if (rows <= 0 || length <= rows) return 0;
  let start = previous;
  if (cursor < start) start = cursor;
  if (cursor >= start + rows) start = cursor - rows + 1;
  return Math.max(0, Math.min(start, length - rows));
}

/** `scrollStart` remembered across renders of one list. */
export function useScrollStart(cursor: number, rows: number, length: number): number {
  const start = useRef(0);
  start.current = scrollStart(start.current, cursor, rows, length);
  return start.current;
}
