// The targets of issue #7, checked against a full run's rows. A miss is reported next to
// the row, never a failure of the run.
import type { Row } from './results.js';

const MIB_PER_S = 1000;
const FILES_PER_S = 2500;
const SERVER_RSS_MIB = 64;
const IDLE_SESSION_KIB = 200;

function find(rows: Row[], scenario: string, system: string): Row | undefined {
  return rows.find((row) => row.scenario === scenario && row.system === system);
}

/** Large-file rows get their ratio to the file→socket→file ceiling of the same run. */
export function addCeilingRatios(rows: Row[]): void {
  const ceiling = find(rows, 'ceiling-file', 'ceiling');
  if (ceiling === undefined) return;
  for (const row of rows) {
    if (row.scenario === 'get-large' || row.scenario === 'put-large') {
      row.details.ratioToCeiling = row.value.median / ceiling.value.median;
    }
  }
}

export function checkTargets(rows: Row[]): void {
  for (const row of rows) {
    if (row.system !== 'cftp') continue;
    const median = row.value.median;
    switch (row.scenario) {
      case 'get-large':
      case 'put-large': {
        row.targets.push({ text: `≥ ${MIB_PER_S} MiB/s`, met: median >= MIB_PER_S });
        const vsftpd = find(rows, row.scenario, 'vsftpd + curl');
        if (vsftpd !== undefined) {
          row.targets.push({
            text: `> vsftpd (${vsftpd.value.median.toFixed(0)} MiB/s)`,
            met: median > vsftpd.value.median,
          });
        }
        const rss = row.details.serverPeakRssMiB;
        if (rss !== undefined) {
          row.targets.push({
            text: `server RSS < ${SERVER_RSS_MIB} MiB`,
            met: rss < SERVER_RSS_MIB,
          });
        }
        break;
      }
      case 'put-many':
      case 'get-many':
        row.targets.push({ text: `≥ ${FILES_PER_S} files/s`, met: median >= FILES_PER_S });
        break;
      case 'list-1000':
        row.targets.push({ text: '< 5 ms', met: median < 5 });
        break;
      case 'list-10000':
        row.targets.push({ text: '< 50 ms', met: median < 50 });
        break;
      case 'connect':
        row.targets.push({ text: '< 5 ms', met: median < 5 });
        break;
      case 'sessions':
        row.targets.push({ text: '0 errors', met: row.details.errors === 0 });
        break;
      case 'idle-session':
        row.targets.push({ text: `< ${IDLE_SESSION_KIB} KiB`, met: median < IDLE_SESSION_KIB });
        break;
    }
  }
}
