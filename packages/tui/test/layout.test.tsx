// Issue 14's layout points, as ink-testing-library frames at 80×24, 120×36 and 200×60: the
// connect form keeps each field's `]` on its line, the connection-lost dialog shows its whole
// sentence, the queue shows the running transfer among 8 items with `+N more`, the footer
// keeps `t queue`, a failed row keeps off the border, and the status bar's paths stay put
// while the rate changes width.
import { stripVTControlCharacters } from 'node:util';
import { cleanup, render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfirmDialog } from '../src/ConfirmDialog.js';
import { ConnectForm } from '../src/ConnectForm.js';
import { dialogFor } from '../src/dialogs.js';
import { HelpLine } from '../src/HelpLine.js';
import { DEFAULT_BINDINGS } from '../src/keys.js';
import { layoutFor } from '../src/layout.js';
import { StatusBar } from '../src/StatusBar.js';
import { TransferQueue } from '../src/TransferQueue.js';
import type { TransferItem, TransferState } from '../src/transfers.js';

afterEach(cleanup);

const SIZES = [
  { columns: 80, rows: 24 },
  { columns: 120, rows: 36 },
  { columns: 200, rows: 60 },
] as const;

function frameOf(element: ReactElement): string {
  const frame = render(element).lastFrame();
  if (frame === undefined) throw new Error('Ink rendered no frame');
  return stripVTControlCharacters(frame);
}

function item(id: number, state: TransferState, change: Partial<TransferItem> = {}): TransferItem {
  return {
    id,
    direction: 'get',
    kind: 'file',
    source: `f${id}.bin`,
    target: `/tmp/f${id}.bin`,
    name: `f${id}.bin`,
    size: 1000,
    destination: { side: 'local', folder: '/tmp' },
    state,
    bytes: state === 'done' ? 1000 : state === 'running' ? 400 : 0,
    total: 1000,
    rate: state === 'running' ? 2048 : 0,
    files: 0,
    totalFiles: undefined,
    error: undefined,
    interrupted: false,
    attempts: state === 'queued' ? 0 : 1,
    ...change,
  };
}

describe.each(SIZES)('at $columns×$rows', ({ columns, rows }) => {
  it('keeps every connect-form field on one line, `]` included', () => {
    const frame = frameOf(
      <ConnectForm
        host="127.0.0.1"
        port="2121"
        connecting={false}
        error={undefined}
        width={columns}
        onSubmit={() => {}}
        onQuit={() => {}}
      />,
    );
    for (const label of ['Host', 'Port', 'User', 'Password']) {
      expect(frame).toMatch(new RegExp(`${label} +\\[[^\\n\\]]*\\] ║`));
    }
    for (const line of frame.split('\n')) expect([...line].length).toBeLessThanOrEqual(columns);
  });

  it('shows the connection-lost dialog’s sentences whole', () => {
    const reason =
      'the server closed the connection while a transfer was running (ECONNECTION, after 12 s)';
    const dialog = dialogFor({ kind: 'confirmReconnect', reason });
    if (dialog === undefined) throw new Error('no dialog');
    const frame = frameOf(
      <ConfirmDialog
        title={dialog.title}
        lines={dialog.lines}
        yes={dialog.yes}
        width={Math.min(columns - 4, 66)}
      />,
    );
    // The text inside the frame, joined back into one run of words.
    const text = frame
      .split('\n')
      .map((line) => line.replace(/^║/, '').replace(/║$/, '').trim())
      .join(' ')
      .replace(/\s+/g, ' ');
    expect(text).toContain(reason);
    expect(text).toContain('The queue is kept: unfinished transfers continue after reconnecting.');
  });

  it('shows the running transfer among 8 items, and how many are hidden', () => {
    const states: TransferState[] = [
      'done',
      'done',
      'done',
      'done',
      'done',
      'running',
      'queued',
      'queued',
    ];
    const items = states.map((state, index) => item(index + 1, state));
    const height = layoutFor(columns, rows).queueHeight;
    const frame = frameOf(
      <TransferQueue items={items} cursor={0} focused={false} width={columns} height={height} />,
    );
    expect(frame).toContain('f6.bin');
    expect(frame).toContain('running');
    const shownRows = frame.split('\n').filter((line) => /f\d\.bin/.test(line)).length;
    if (shownRows < items.length) {
      expect(frame).toMatch(new RegExp(`\\+${items.length - shownRows} more`));
    } else expect(frame).not.toContain('more');
    expect(frame.split('\n')).toHaveLength(height);
  });

  it('keeps the `t queue` hint on the footer', () => {
    const frame = frameOf(<HelpLine bindings={DEFAULT_BINDINGS} area="pane" width={columns} />);
    expect(frame).toContain('t queue');
    expect(frame).toContain('? help');
    expect(frame).toContain('q quit');
    expect([...frame].length).toBeLessThanOrEqual(columns);
  });

  it('keeps a failed row’s error code off the queue’s border', () => {
    const failed = item(1, 'failed', {
      error: { code: 'ECONNECTION', message: 'connection lost' },
    });
    const frame = frameOf(
      <TransferQueue items={[failed]} cursor={0} focused={false} width={columns} height={6} />,
    );
    expect(frame).toMatch(/failed ECONNECTION +│/);
  });

  it('starts the status bar’s paths at the same column whatever the rate', () => {
    const rates = [512, 9.5 * 1024 * 1024, 10.2 * 1024 * 1024, 987 * 1024];
    const frames = rates.map((throughput) =>
      frameOf(
        <StatusBar
          host="127.0.0.1"
          port={2121}
          state="connected"
          paths={{ local: `/home/me/${'deep/'.repeat(20)}end`, remote: '/photos/2026/summer' }}
          transfers={{ running: 1, queued: 7, throughput }}
          width={columns}
        />,
      ),
    );
    const columnsOf = (frame: string) => [frame.indexOf('local '), frame.indexOf('remote ')];
    for (const frame of frames) {
      expect(columnsOf(frame)).toEqual(columnsOf(frames[0]!));
      expect(frame.slice(0, frame.indexOf('queued'))).toBe(
        frames[0]!.slice(0, frames[0]!.indexOf('queued')),
      );
    }
  });
});
