// The requests in flight on one session (docs/protocol.md §3, §6.3, §6.4): each with its abort
// controller and, for an upload, the client's `done` it waits for; and who waits for none to
// be left (drain on shutdown).
import { type Done, ProtocolError, TimeoutError } from '@cftp/protocol';

export interface InFlight {
  readonly controller: AbortController;
  /** Set for uploads: resolves with the client's `done` (§6.3). */
  readonly done?: { promise: Promise<Done>; resolve: (done: Done) => void; received: boolean };
}

/**
 * An upload failed by a malformed `done` (§6.3): its final reply is this EPROTO, and its
 * temporary file goes even when resumable (the client that sent it is broken).
 */
export class BadDoneError extends ProtocolError {
  constructor(message: string) {
    super('EPROTO', message);
  }
}

export class InFlightRequests {
  private readonly entries = new Map<number, InFlight>();
  private readonly idle: Array<() => void> = [];

  get size(): number {
    return this.entries.size;
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  /** Registers request `id`; an upload also gets a slot for the client's `done`. */
  add(id: number, upload: boolean): InFlight {
    let done: InFlight['done'];
    if (upload) {
      let settle!: (done: Done) => void;
      const promise = new Promise<Done>((r) => {
        settle = r;
      });
      const slot = {
        promise,
        received: false,
        resolve: (value: Done) => {
          slot.received = true;
          settle(value);
        },
      };
      done = slot;
    }
    const entry: InFlight = { controller: new AbortController(), ...(done ? { done } : {}) };
    this.entries.set(id, entry);
    return entry;
  }

  /** The request is over (its reply is being sent). */
  remove(id: number): void {
    this.entries.delete(id);
  }

  /** The client's `abort` (§6.4); an id not in flight is ignored. */
  abort(id: number, reason: unknown): void {
    this.entries.get(id)?.controller.abort(reason);
  }

  /**
   * A malformed `done` for upload `id` (§6.3): fails it with `reason`, once. False when `id`
   * is not an upload, or its `done` came already (a later bad one is then merely refused).
   */
  failUpload(id: number, reason: BadDoneError): boolean {
    const entry = this.entries.get(id);
    if (entry?.done === undefined || entry.done.received || entry.controller.signal.aborted) {
      return false;
    }
    entry.controller.abort(reason);
    return true;
  }

  /** A `done` for an id with no upload in flight is ignored (§6.3): it may have failed already. */
  deliverDone(done: Done): void {
    this.entries.get(done.id)?.done?.resolve(done);
  }

  abortAll(reason: unknown): void {
    for (const entry of this.entries.values()) entry.controller.abort(reason);
  }

  /** Wakes whoever waits in whenIdle; the caller checks that none is left. */
  wakeIdle(): void {
    for (const wake of this.idle.splice(0)) wake();
  }

  /** Resolves when no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.entries.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** The client's `done` for an upload, bounded by `timeoutMs` once the data has ended. */
  clientDone(entry: InFlight, timeoutMs: number): Promise<Done> {
    const done = entry.done;
    if (done === undefined) return Promise.reject(new ProtocolError('EPROTO', 'not an upload'));
    const signal = entry.controller.signal;
    return new Promise<Done>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new TimeoutError('no "done" from the client after the upload data')),
        timeoutMs,
      );
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      done.promise.then((value) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      });
    });
  }
}
