// StatusBar rendered through ink-testing-library: the user sees the server address and the
// connection state, and each state has its own colour.
import { stripVTControlCharacters } from 'node:util';
import { cleanup, render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ConnectionState, StatusBar } from '../src/StatusBar.js';

// Ink's colour support is detected (by chalk) when Ink is first imported, and the fake
// stdout of ink-testing-library is not a TTY, so colour would be off. Force basic colour
// so the test can see which colour each state gets; vi.hoisted runs before the imports.
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});

const SGR_COLORS = { green: 32, yellow: 33, red: 31 } as const;
const STATES: { state: ConnectionState; color: keyof typeof SGR_COLORS }[] = [
  { state: 'connecting', color: 'yellow' },
  { state: 'connected', color: 'green' },
  { state: 'disconnected', color: 'red' },
];

function frameOf(element: ReactElement): string {
  const frame = render(element).lastFrame();
  if (frame === undefined) throw new Error('Ink rendered no frame');
  return frame;
}

afterEach(cleanup);

describe('StatusBar', () => {
  it.each(STATES)('shows the address and "$state"', ({ state }) => {
    const frame = frameOf(<StatusBar host="127.0.0.1" port={2121} state={state} />);
    expect(stripVTControlCharacters(frame)).toBe(`cftp  127.0.0.1:2121  ${state}`);
  });

  it.each(STATES)('colours "$state" $color', ({ state, color }) => {
    const frame = frameOf(<StatusBar host="127.0.0.1" port={2121} state={state} />);
    expect(frame).toContain(`\u001b[${SGR_COLORS[color]}m${state}\u001b[39m`);
  });

  it('puts an IPv6 host in brackets', () => {
    const frame = frameOf(<StatusBar host="::1" port={2121} state="connected" />);
    expect(stripVTControlCharacters(frame)).toBe('cftp  [::1]:2121  connected');
  });

  it('shows the new state when it changes', () => {
    const { lastFrame, rerender } = render(
      <StatusBar host="files.example" port={2121} state="connecting" />,
    );
    expect(stripVTControlCharacters(lastFrame() ?? '')).toContain('connecting');
    rerender(<StatusBar host="files.example" port={2121} state="disconnected" />);
    expect(stripVTControlCharacters(lastFrame() ?? '')).toBe(
      'cftp  files.example:2121  disconnected',
    );
  });
});
