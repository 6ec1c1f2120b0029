// The table's ratio-to-vsftpd column (issue 12): the same scenario's vsftpd row, same run;
// above 1 is ahead of vsftpd for rates and for times alike.
import { describe, expect, it } from 'vitest';
import { type Row, ratioToVsftpd, renderMarkdown } from '../src/results.js';

function row(scenario: string, system: Row['system'], unit: Row['unit'], median: number): Row {
  return {
    scenario,
    title: scenario,
    system,
    unit,
    value: { min: median, median, max: median, samples: [median] },
    details: {},
    notes: [],
    targets: [],
  };
}

describe('ratio to vsftpd', () => {
  const rows = [
    row('get-large', 'cftp', 'MiB/s', 600),
    row('get-large', 'vsftpd + curl', 'MiB/s', 400),
    row('list-1000', 'cftp', 'ms', 10),
    row('list-1000', 'vsftpd + basic-ftp', 'ms', 5),
    row('idle-server', 'cftp', 'MiB', 60),
  ];

  it('divides rates by vsftpd, and vsftpd times by ours', () => {
    expect(ratioToVsftpd(rows[0]!, rows)).toBe(1.5);
    expect(ratioToVsftpd(rows[2]!, rows)).toBe(0.5);
  });

  it('is empty for vsftpd itself and where vsftpd did not run', () => {
    expect(ratioToVsftpd(rows[1]!, rows)).toBeUndefined();
    expect(ratioToVsftpd(rows[4]!, rows)).toBeUndefined();
  });

  it('is a column of the markdown table', () => {
    const markdown = renderMarkdown({
      mode: 'full',
      startedAt: 'now',
      durationSeconds: 1,
      machine: { cores: 2, cpuModel: 'x', memoryGiB: 1, nodeVersion: 'v24', os: 'linux' },
      loadAverage: { before: 0, after: 0 },
      otherProcesses: { cpuSeconds: 0, shareOfMachine: 0 },
      rows,
      skipped: [],
    });
    expect(markdown).toContain('| × vsftpd |');
    expect(markdown).toMatch(/\| get-large \| cftp \| 600 \|.*\| 1\.50× \|/);
    expect(markdown).toMatch(/\| list-1000 \| cftp \| 10\.0 \|.*\| 0\.50× \|/);
  });
});
