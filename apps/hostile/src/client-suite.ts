// The set-up every client-suite file shares: hostile servers and sandboxes, closed and
// removed after the file; and `check`, which runs the real `cftp` and returns every breach
// of the case's contract (see client-contract.ts).
import { afterAll } from 'vitest';
import { breaches, type Contract, describeRun } from './client-contract.js';
import { type HostileOptions, HostileServer } from './hostile-server/index.js';
import {
  makeSandbox,
  type RunOptions,
  type RunResult,
  removeSandboxes,
  runClient,
  type Sandbox,
} from './run-client.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Guards against a client that writes or holds without bound (far above any contract). */
const DISK_GUARD_BYTES = 64 * MiB;
const RSS_GUARD_KIB = 1024 * 1024;

export interface CaseOutcome {
  result: RunResult;
  sandbox: Sandbox;
  /** Every breach of the contract; the test expects none. */
  problems: string[];
  /** The run, for the failure message. */
  story: string;
}

export function useClientSuite(): {
  hostile(options?: HostileOptions): Promise<HostileServer>;
  run(
    options: Omit<RunOptions, 'sandbox'> & { sandbox?: Sandbox },
    contract: Contract,
  ): Promise<CaseOutcome>;
} {
  const servers: HostileServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await removeSandboxes();
  });
  return {
    async hostile(options = {}) {
      const server = await HostileServer.start(options);
      servers.push(server);
      return server;
    },
    async run(options, contract) {
      const sandbox = options.sandbox ?? (await makeSandbox());
      const result = await runClient({
        killAboveBytes: DISK_GUARD_BYTES,
        killAboveRssKiB: RSS_GUARD_KIB,
        ...options,
        sandbox,
      });
      const problems = await breaches(result, sandbox, contract);
      return { result, sandbox, problems, story: describeRun(result) };
    },
  };
}
