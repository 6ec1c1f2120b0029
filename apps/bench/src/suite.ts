// One bench run: fixtures, ceilings, CFTP, peers, then targets; returns the results and
// leaves nothing behind on disk but what the caller writes.
import type { BenchConfig, ScenarioId } from './config.js';
import type { BenchContext } from './context.js';
import { createFixtures, removeFixtures } from './fixtures.js';
import { benchCpuSeconds, loadAverage, machineBusySeconds, machineInfo } from './machine.js';
import { type BenchResults, sortRows } from './results.js';
import { runCeilings } from './scenarios/ceilings.js';
import { runCftp } from './scenarios/cftp.js';
import { runFtpSrv, runVsftpd } from './scenarios/peers.js';
import { runS3 } from './scenarios/s3.js';
import { runSync } from './scenarios/sync.js';
import { addCeilingRatios, checkTargets } from './targets.js';

export async function runSuite(
  config: BenchConfig,
  log: (message: string) => void = (message) => process.stderr.write(`bench: ${message}\n`),
): Promise<BenchResults> {
  const startedAt = new Date();
  const loadBefore = loadAverage();
  const started = performance.now();
  const busyBefore = machineBusySeconds();
  const benchCpuBefore = benchCpuSeconds();
  log('making test files');
  const fixtures = await createFixtures(config);
  const ctx: BenchContext = {
    config,
    fixtures,
    rows: [],
    skipped: [],
    log,
    wants: (id: ScenarioId) => config.only === undefined || config.only.has(id),
  };
  try {
    await runCeilings(ctx);
    await runCftp(ctx);
    await runS3(ctx);
    if (config.peers) {
      await runFtpSrv(ctx);
      await runVsftpd(ctx);
    } else {
      ctx.skipped.push({ system: 'peers', reason: 'not requested (--no-peers)' });
    }
    await runSync(ctx);
  } finally {
    await removeFixtures(fixtures);
  }
  const durationSeconds = (performance.now() - started) / 1000;
  const othersCpu = machineBusySeconds() - busyBefore - (benchCpuSeconds() - benchCpuBefore);
  const machine = machineInfo();
  addCeilingRatios(ctx.rows);
  if (!config.quick) checkTargets(ctx.rows);
  return {
    mode: config.quick ? 'quick' : 'full',
    startedAt: startedAt.toISOString(),
    durationSeconds,
    machine,
    loadAverage: { before: loadBefore, after: loadAverage() },
    otherProcesses: {
      cpuSeconds: Math.max(0, othersCpu),
      shareOfMachine: Math.max(0, othersCpu) / (durationSeconds * machine.cores),
    },
    rows: sortRows(ctx.rows),
    skipped: ctx.skipped,
  };
}
