// The components one by one, rendered with ink-testing-library: what each shows, at the
// widths of an 80-column and a large terminal, and how the connect form takes keys.
import { stripVTControlCharacters } from 'node:util';
import type { Entry } from '@cftp/client';
import { cleanup, render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfirmDialog } from '../src/ConfirmDialog.js';
import { ConnectForm } from '../src/ConnectForm.js';
import { FilePane } from '../src/FilePane.js';
import { HelpLine } from '../src/HelpLine.js';
import { HelpOverlay, helpLines } from '../src/HelpOverlay.js';
import { DEFAULT_BINDINGS, remap } from '../src/keys.js';
import { StatusBar } from '../src/StatusBar.js';
import { newPane, type PaneState } from '../src/state.js';
import { InputLine, Toast } from '../src/Toast.js';
import { queueRow, TransferQueue } from '../src/TransferQueue.js';
import type { TransferItem } from '../src/transfers.js';

afterEach(cleanup);

function frameOf(element: ReactElement): string {
  const frame = render(element).lastFrame();
  if (frame === undefined) throw new Error('Ink rendered no frame');
  return stripVTControlCharacters(frame);
}

const lines = (frame: string) => frame.split('\n');
const NOW = new Date(2026, 10, 25, 21, 0).getTime();
const AT = new Date(2026, 10, 25, 20, 15).getTime();

const file = (name: string, size: number): Entry => ({ name, type: 'file', size, mtime: AT });
const dir = (name: string): Entry => ({ name, type: 'dir', size: 0, mtime: AT });

function pane(change: Partial<PaneState> = {}): PaneState {
  return {
    ...newPane('remote', 'photos'),
    loading: false,
    entries: [dir('2026'), file('a.jpg', 1500), file('b.jpg', 3 * 1024 * 1024)],
    ...change,
  };
}

describe('FilePane', () => {
  it('lists .., folders and files with size and mtime; the cursor shows as > when focused', () => {
    const frame = frameOf(
      <FilePane
        pane={pane({ cursor: 2 })}
        title="Remote"
        focused
        width={50}
        height={8}
        now={NOW}
      />,
    );
    const rows = lines(frame);
    expect(rows[0]).toBe(`╔${'═'.repeat(48)}╗`);
    expect(rows[1]).toContain('Remote  /photos');
    expect(rows[2]).toMatch(/^║ {3}\.\. +║$/);
    expect(rows[3]).toMatch(/^║ {3}2026\/ +Nov 25 20:15║$/);
    expect(rows[4]).toMatch(/^║> {2}a\.jpg +1\.5K Nov 25 20:15║$/);
    expect(rows[5]).toMatch(/^║ {3}b\.jpg +3\.0M Nov 25 20:15║$/);
    expect(rows.every((row) => [...row].length === 50)).toBe(true);
  });

  it('shows no cursor and a single border when not focused', () => {
    const frame = frameOf(
      <FilePane pane={pane({ cursor: 2 })} title="Remote" focused={false} width={50} height={8} />,
    );
    expect(frame).not.toContain('>');
    expect(lines(frame)[0]).toBe(`┌${'─'.repeat(48)}┐`);
  });

  it('marks entries with *, and says how many are marked and what filters them', () => {
    const frame = frameOf(
      <FilePane
        pane={pane({ marked: ['a.jpg', 'b.jpg'], filter: 'jpg' })}
        title="Remote"
        focused
        width={60}
        height={8}
      />,
    );
    expect(frame).toContain('2 marked · filter "jpg"');
    expect(frame).toMatch(/>\* a\.jpg/);
    expect(frame).toMatch(/ \* b\.jpg/);
    expect(frame).not.toContain('2026/');
  });

  it('scrolls to keep the cursor in view', () => {
    const entries = Array.from({ length: 30 }, (_, i) => file(`f${String(i).padStart(2, '0')}`, i));
    const frame = frameOf(
      <FilePane
        pane={pane({ entries, cursor: 25 })}
        title="Remote"
        focused
        width={50}
        height={8}
      />,
    );
    expect(frame).toMatch(/> {2}f24/);
    expect(frame).not.toContain('f10');
  });

  it('says when a folder is empty, loading or failed', () => {
    expect(
      frameOf(
        <FilePane
          pane={pane({ entries: [], path: '' })}
          title="Remote"
          focused
          width={50}
          height={8}
        />,
      ),
    ).toContain('(empty folder)');
    expect(
      frameOf(
        <FilePane pane={pane({ loading: true })} title="Remote" focused width={50} height={8} />,
      ),
    ).toContain('loading…');
    const failed = frameOf(
      <FilePane
        pane={pane({ error: 'permission denied (EACCES)' })}
        title="Remote"
        focused
        width={50}
        height={8}
        note="disconnected"
      />,
    );
    expect(failed).toContain('permission denied (EACCES)');
    expect(failed).toContain('disconnected');
  });

  it('uses full dates in a wide pane', () => {
    const frame = frameOf(<FilePane pane={pane()} title="Local" focused width={90} height={8} />);
    expect(frame).toContain('2026-11-25 20:15');
  });
});

function item(change: Partial<TransferItem>): TransferItem {
  return {
    id: 1,
    direction: 'get',
    kind: 'file',
    source: 'big.iso',
    target: '/tmp/big.iso',
    name: 'big.iso',
    size: 1000,
    destination: { side: 'local', folder: '/tmp' },
    state: 'queued',
    bytes: 0,
    total: 1000,
    rate: 0,
    files: 0,
    totalFiles: undefined,
    error: undefined,
    interrupted: false,
    attempts: 0,
    ...change,
  };
}

describe('TransferQueue', () => {
  it('shows direction, name, bar, percent, rate, ETA and state for a running item', () => {
    const row = queueRow(item({ state: 'running', bytes: 500, total: 1000, rate: 100 }), 78, false);
    expect([...row].length).toBe(78);
    expect(row).toMatch(/^ get big\.iso +█{5}░{5} +50% +100 B\/s +0:05 running +$/);
  });

  it('shows done items full, failed ones with the code, folders with file counts', () => {
    expect(queueRow(item({ state: 'done', bytes: 1000, rate: 2048 }), 78, false)).toMatch(
      /█{10} 100% +2\.0 KiB\/s +done/,
    );
    const failed = queueRow(
      item({ state: 'failed', error: { code: 'EACCES', message: 'permission denied' } }),
      78,
      false,
    );
    expect(failed).toContain('failed EACCES');
    const tree = queueRow(
      item({
        kind: 'tree',
        name: 'album/',
        direction: 'put',
        state: 'running',
        files: 2,
        totalFiles: 5,
        total: undefined,
      }),
      78,
      true,
    );
    expect(tree).toMatch(/^>put album\/ 2\/5 files +█{4}░{6} +40%/);
  });

  it('lists the items under a summary, and a failed item’s message when selected', () => {
    const items = [
      item({ id: 1, state: 'done', bytes: 1000 }),
      item({
        id: 2,
        name: 'gone.txt',
        state: 'failed',
        error: { code: 'ENOENT', message: 'no such file: "gone.txt"' },
      }),
      item({ id: 3, name: 'next.bin', state: 'queued' }),
    ];
    const frame = frameOf(
      <TransferQueue items={items} cursor={1} focused width={100} height={7} />,
    );
    expect(frame).toContain('Transfers  1 queued · 1 done · 1 failed  no such file: "gone.txt"');
    expect(frame).toMatch(/>get gone\.txt .* failed ENOENT/);
    expect(frame).toMatch(/ get next\.bin .* queued/);
  });

  it('explains itself when empty', () => {
    expect(
      frameOf(<TransferQueue items={[]} cursor={0} focused={false} width={100} height={5} />),
    ).toContain('Nothing queued.');
  });
});

describe('StatusBar in the full screen', () => {
  it('shows both folders, the activity and the throughput', () => {
    const frame = frameOf(
      <StatusBar
        host="127.0.0.1"
        port={2121}
        state="connected"
        paths={{ local: '/home/me', remote: '/photos' }}
        transfers={{ running: 2, queued: 1, throughput: 3.2 * 1024 * 1024 }}
        width={100}
      />,
    );
    expect(frame).toBe(
      'cftp  127.0.0.1:2121  connected  local /home/me  remote /photos  2 running, 1 queued   3.2 MiB/s',
    );
  });

  it('shortens long paths from the left to fit 80 columns', () => {
    const frame = frameOf(
      <StatusBar
        host="127.0.0.1"
        port={2121}
        state="connected"
        paths={{ local: `/home/me/${'deep/'.repeat(12)}end`, remote: '/photos/2026/summer/beach' }}
        transfers={{ running: 0, queued: 0, throughput: 0 }}
        width={80}
      />,
    );
    expect(frame.length).toBeLessThanOrEqual(80);
    expect(frame).toMatch(/local …[a-z/]*end {2}remote …?[a-z0-9/]*beach {2}idle$/);
  });
});

describe('HelpLine and HelpOverlay', () => {
  it('fits the main keys into 80 columns and keeps help and quit', () => {
    const narrow = frameOf(<HelpLine bindings={DEFAULT_BINDINGS} area="pane" width={80} />);
    expect(narrow.length).toBeLessThanOrEqual(80);
    expect(narrow).toMatch(/^Space mark {2}c copy {2}r rename {2}d delete .* \? help {2}q quit$/);
    const wide = frameOf(<HelpLine bindings={DEFAULT_BINDINGS} area="pane" width={200} />);
    expect(wide).toContain('Tab pane  t queue  ? help  q quit');
    expect(frameOf(<HelpLine bindings={DEFAULT_BINDINGS} area="queue" width={100} />)).toContain(
      'x cancel  r retry',
    );
  });

  it('lists every binding, grouped, and scrolls', () => {
    const all = helpLines(DEFAULT_BINDINGS);
    for (const binding of DEFAULT_BINDINGS) {
      expect(all.some((line) => line.endsWith(binding.help))).toBe(true);
    }
    const top = frameOf(
      <HelpOverlay bindings={DEFAULT_BINDINGS} width={100} height={12} scroll={0} />,
    );
    expect(top).toContain('File panes');
    expect(top).toContain('c F5');
    const scrolled = frameOf(
      <HelpOverlay bindings={DEFAULT_BINDINGS} width={100} height={14} scroll={100} />,
    );
    expect(scrolled).toContain('Everywhere');
    expect(scrolled).toContain('q F10 Ctrl-C');
  });
});

describe('ConfirmDialog, Toast, InputLine', () => {
  it('asks with y and n', () => {
    const frame = frameOf(
      <ConfirmDialog
        title='Delete "a.jpg" on the server?'
        lines={['in /photos']}
        yes="delete"
        width={50}
      />,
    );
    expect(frame).toContain('Delete "a.jpg" on the server?');
    expect(frame).toContain('y delete   n / Esc cancel');
    expect(lines(frame).every((row) => [...row].length === 50)).toBe(true);
  });

  it('prefixes errors and shows inputs with a cursor', () => {
    expect(
      frameOf(<Toast message={{ text: 'folder is not empty (ENOTEMPTY)', level: 'error' }} />),
    ).toBe('error: folder is not empty (ENOTEMPTY)');
    expect(frameOf(<InputLine label="Filter:" value="jp" />)).toContain('Filter: jp█');
  });
});

describe('ConnectForm', () => {
  it('takes a host and a port and submits them', async () => {
    const onSubmit = vi.fn();
    const { stdin, lastFrame } = render(
      <ConnectForm
        host=""
        port=""
        connecting={false}
        error={undefined}
        width={80}
        onSubmit={onSubmit}
        onQuit={() => {}}
      />,
    );
    expect(stripVTControlCharacters(lastFrame() ?? '')).toContain('Connect to a CFTP server');
    for (const key of ['f', 'i', 'l', 'e', 's', '\t', '2', '1', '2', '1']) stdin.write(key);
    await vi.waitFor(() =>
      expect(stripVTControlCharacters(lastFrame() ?? '')).toContain('Port     [2121█'),
    );
    expect(stripVTControlCharacters(lastFrame() ?? '')).toContain('Host     [files');
    stdin.write('\r');
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledWith('files', 2121));
  });

  it('takes a user and a masked password for servers with accounts (docs/security.md)', async () => {
    const onSubmit = vi.fn();
    const { stdin, lastFrame } = render(
      <ConnectForm
        host="files"
        port="2121"
        connecting={false}
        error={undefined}
        width={80}
        onSubmit={onSubmit}
        onQuit={() => {}}
      />,
    );
    const screen = () => stripVTControlCharacters(lastFrame() ?? '');
    for (const key of ['\t', 'a', 'l', 'i', 'c', 'e', '\t', 'p', 'w', ' ', 'x']) stdin.write(key);
    await vi.waitFor(() => expect(screen()).toContain('Password [••••█'));
    expect(screen()).toContain('User     [alice');
    expect(screen()).not.toContain('pw x');
    stdin.write('\r');
    await vi.waitFor(() =>
      expect(onSubmit).toHaveBeenCalledWith('files', 2121, { user: 'alice', password: 'pw x' }),
    );
  });

  it('refuses a bad port, shows a connect error, and quits on Esc', async () => {
    const onSubmit = vi.fn();
    const onQuit = vi.fn();
    const { stdin, lastFrame } = render(
      <ConnectForm
        host="127.0.0.1"
        port="99999"
        connecting={false}
        error="cannot connect (ECONNECTION)"
        width={80}
        onSubmit={onSubmit}
        onQuit={onQuit}
      />,
    );
    expect(stripVTControlCharacters(lastFrame() ?? '')).toContain(
      'error: cannot connect (ECONNECTION)',
    );
    stdin.write('\r');
    await vi.waitFor(() =>
      expect(stripVTControlCharacters(lastFrame() ?? '')).toContain(
        'the port is a number from 1 to 65535',
      ),
    );
    expect(onSubmit).not.toHaveBeenCalled();
    stdin.write('\u001b');
    await vi.waitFor(() => expect(onQuit).toHaveBeenCalled());
  });

  it('takes its keys from the key table, remapped or not', async () => {
    const onQuit = vi.fn();
    const { stdin, lastFrame } = render(
      <ConnectForm
        host=""
        port="2121"
        connecting={false}
        error={undefined}
        width={80}
        onSubmit={() => {}}
        onQuit={onQuit}
        bindings={remap(DEFAULT_BINDINGS, { leaveForm: ['ctrl-q'] })}
      />,
    );
    const screen = () => stripVTControlCharacters(lastFrame() ?? '');
    expect(screen()).toContain('Ctrl-Q quit');
    stdin.write('q');
    await vi.waitFor(() => expect(screen()).toContain('Host     [q█'));
    stdin.write('\u0011');
    await vi.waitFor(() => expect(onQuit).toHaveBeenCalled());
  });
});

describe('ConfirmDialog with a remapped table', () => {
  it('shows the answer keys it is given', () => {
    const frame = frameOf(
      <ConfirmDialog
        title="Quit?"
        lines={[]}
        yes="quit"
        width={50}
        keys={{ yes: ['o'], no: ['Esc'] }}
      />,
    );
    expect(frame).toContain('o quit   Esc cancel');
  });
});
