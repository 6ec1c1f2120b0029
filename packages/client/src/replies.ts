// Routes server replies to the request that is waiting for them, by id (docs/protocol.md §3).
import { errorFromCode, type ServerMessage } from '@cftp/protocol';

/** The replies to one request, in arrival order; an `error` reply becomes a thrown CftpError. */
export class ReplyQueue {
  private readonly buffered: ServerMessage[] = [];
  private waiter: { resolve: (m: ServerMessage) => void; reject: (e: unknown) => void } | undefined;
  private failure: unknown;

  push(message: ServerMessage): void {
    if (this.waiter !== undefined) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve(message);
    } else this.buffered.push(message);
  }

  fail(error: unknown): void {
    this.failure ??= error;
    if (this.waiter !== undefined) {
      const { reject } = this.waiter;
      this.waiter = undefined;
      reject(error);
    }
  }

  private next(): Promise<ServerMessage> {
    const message = this.buffered.shift();
    if (message !== undefined) return Promise.resolve(message);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
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
