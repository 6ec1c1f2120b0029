// Durable renames (docs/protocol.md §8): after a file is renamed into place, its folder is
// fsynced, and uploads finishing together in one folder share those fsyncs.
import { open } from 'node:fs/promises';

async function fsyncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Group commit for folder fsyncs (§8): a caller needs an fsync that *starts after* its
 * rename. While one runs, later callers share the next one, so N uploads finishing together
 * in one folder cost about two folder fsyncs instead of N.
 */
export class FolderSyncer {
  private readonly state = new Map<string, { running: Promise<void>; next?: Promise<void> }>();

  sync(dir: string): Promise<void> {
    const current = this.state.get(dir);
    if (current === undefined) return this.start(dir);
    current.next ??= current.running.then(
      () => this.start(dir),
      () => this.start(dir),
    );
    return current.next;
  }

  private start(dir: string): Promise<void> {
    const running = fsyncFolder(dir).finally(() => {
      const entry = this.state.get(dir);
      if (entry?.running !== running) return;
      if (entry.next === undefined) this.state.delete(dir);
    });
    const entry = this.state.get(dir);
    if (entry === undefined) this.state.set(dir, { running });
    else {
      entry.running = running;
      entry.next = undefined;
    }
    return running;
  }
}
