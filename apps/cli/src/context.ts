// The state of one `ftp>` session that commands read and change: the remote and local
// current folders (both kept by the client), the engine, the listing cache and the progress
// view; and what one command call receives.
import type { ListingCache } from './listing-cache.js';
import type { ProgressView } from './progress.js';
import type { RemoteFs } from './remote-fs.js';

export interface Session {
  readonly fs: RemoteFs;
  /** Current remote folder, a protocol path (`''` is the root). */
  remoteCwd: string;
  /** Where `cd -` goes back to. */
  previousRemoteCwd: string;
  /** Current local folder (absolute); `lcd` changes it, the process's own cwd stays. */
  localCwd: string;
  readonly listings: ListingCache;
  readonly progress: ProgressView;
  /**
   * The command that resumes a stopped download, when it is not the prompt's own `get -c …`
   * (the one-shot `cftp get` says `cftp get -c HOST:PORT:/path`).
   */
  resumeCommand?: string;
}

export interface Call {
  readonly session: Session;
  /** Boolean options by long name (`-r` → `recursive`). */
  readonly flags: Readonly<Record<string, boolean>>;
  readonly args: readonly string[];
  /** Aborted by Ctrl-C at the prompt. */
  readonly signal: AbortSignal;
  /** JSON output only: writes one object now, before the result (sync's plan, before it runs). */
  readonly emit?: (fields: Record<string, unknown>) => void;
}
