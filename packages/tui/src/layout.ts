// How the screen's rows and columns are shared out between the status bar, the two panes,
// the message line, the transfer queue and the help line.

export interface Layout {
  columns: number;
  rows: number;
  paneHeight: number;
  leftWidth: number;
  rightWidth: number;
  queueHeight: number;
  /** Entries visible in a pane (a page). */
  paneRows: number;
}

/** Sizes of the screen's parts: the queue gets about a fifth of the rows (3 to 10 items). */
export function layoutFor(columns: number, rows: number): Layout {
  const queueItems = Math.max(3, Math.min(10, Math.floor((rows - 3) / 5)));
  const queueHeight = queueItems + 3;
  // status bar, message line and help line take one row each
  const paneHeight = Math.max(5, rows - 3 - queueHeight);
  const leftWidth = Math.floor(columns / 2);
  return {
    columns,
    rows,
    paneHeight,
    leftWidth,
    rightWidth: columns - leftWidth,
    queueHeight,
    paneRows: Math.max(1, paneHeight - 3),
  };
}
