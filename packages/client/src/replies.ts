// Routes server replies to the request that is waiting for them, by id (docs/protocol.md §3),
// and bounds every wait for a reply (§5.4): this is the one place the client waits on the
// server's control channel, so the one place its reply timeout lives.
import { errorFromCode, type ServerMessage, TimeoutError } from '@cftp/protocol';

/** How long one request may wait for a reply, and what to do when it gives up. */
export interface ReplyClock {
  /** The longest wait for the next reply; 0 or Infinity: no limit (the handshake has its own). */
  timeoutMs: number;
  /** The request as a person reads it, for the timeout's message: `get "a.txt"`. */
  what: string;
  /** Told once when a wait expires (the connection aborts the request, §6.4). */
  onTimeout(error: TimeoutError): void;
}

/** A duration as the client's messages say it: `60 s`, `0.2 s`. */
export function formatDuration(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** The replies to one request, in arrival order; an `error` reply becomes a thrown CftpError. */
export class ReplyQueue {
  private readonly buffered: ServerMessage[] = [];
  private waiter: { resolve: (m: ServerMessage) => void; reject: (e: unknown) => void } | undefined;
  private failure: unknown;
  private timer: NodeJS.Timeout | undefined;
  /** Data channels of this request that are open: no reply is due while data moves. */
  private holds = 0;
  private hadData = false;
  /** A final reply (anything but `ready`) has arrived: the server retired the request. */
  finished = false;

  constructor(private readonly clock?: ReplyClock) {}

  push(message: ServerMessage): void {
    if (message.type !== 'ready') this.finished = true;
    this.disarm();
    if (this.waiter !== undefined) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve(message);
    } else this.buffered.push(message);
  }

  fail(error: unknown): void {
    this.failure ??= error;
    this.disarm();
    if (this.waiter !== undefined) {
      const { reject } = this.waiter;
      this.waiter = undefined;
      reject(error);
    }
  }

  /**
   * Stops the clock while a data channel of this request is open (its own stall timer bounds
   * it, §5.4); the returned release starts it again, so the wait for the final reply is
   * counted from the end of the data, not from the start of a long transfer.
   */
  holdClock(): () => void {
    this.holds++;
    this.hadData = true;
    this.disarm();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.arm();
    };
  }

  private arm(): void {
    const clock = this.clock;
    if (clock === undefined || this.waiter === undefined || this.holds > 0) return;
    if (this.timer !== undefined || !(clock.timeoutMs > 0 && clock.timeoutMs < Infinity)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const after = this.hadData ? ' after its data' : '';
      const error = new TimeoutError(
        `no reply to ${clock.what} within ${formatDuration(clock.timeoutMs)}${after}`,
      );
      this.fail(error);
      clock.onTimeout(error);
    }, clock.timeoutMs);
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private next(): Promise<ServerMessage> {
    const message = this.buffered.shift();
    if (message !== undefined) return Promise.resolve(message);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.arm();
    });
  }

  /** The next reply, which must be of type `type`; an `error` reply is thrown as a CftpError. */
  async expect<T extends ServerMessage['type']>(
    type: T,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const message = await this.next();
    if (message.type === 'error') throw errorFromCode(message.code, message.message);
    if (message.type !== type) {
      throw errorFromCode('EPROTO', `expected "${type}" from the server, got "${message.type}"`);
    }
    return message as Extract<ServerMessage, { type: T }>;
  }
}
