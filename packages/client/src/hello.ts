// The client's half of "trust only after a real hello" (docs/protocol.md §4.3): until a valid
// `welcome`, every frame is judged here, and anything else — HTTP, garbage, another message,
// a closed connection — means the peer "is not a CFTP server". Also how a request is named
// in the client's timeout messages.
import {
  type CftpError,
  type ClientMessage,
  type DecodeResult,
  errorFromCode,
  escapeControls,
  PROTOCOL_VERSION,
  ProtocolError,
  type Welcome,
} from '@cftp/protocol';

/** How many of the peer's first bytes a "not a CFTP server" message quotes. */
const QUOTED_BYTES = 24;

export type HelloVerdict =
  | { kind: 'welcome'; welcome: Welcome }
  | { kind: 'fail'; error: CftpError };

/** Watches one handshake: the first bytes seen, and the verdict on the first frame. */
export class HelloWatch {
  private seen = Buffer.alloc(0);

  constructor(
    private readonly where: string,
    private readonly helloId: number,
  ) {}

  /** Keeps the start of what the peer sent, to quote it. */
  saw(chunk: Buffer): void {
    if (this.seen.byteLength < QUOTED_BYTES) {
      this.seen = Buffer.concat([
        this.seen,
        chunk.subarray(0, QUOTED_BYTES - this.seen.byteLength),
      ]);
    }
  }

  /** `HOST:PORT is not a CFTP server (…)`, EPROTO (§4.3). */
  notCftp(what: string): CftpError {
    return new ProtocolError('EPROTO', `${this.where} is not a CFTP server (${what})`);
  }

  private quoted(): string {
    return `"${escapeControls(this.seen.toString('latin1'))}"`;
  }

  /** The verdict on the first frame (§4.3). */
  judge(result: DecodeResult): HelloVerdict {
    if (!result.ok) return { kind: 'fail', error: this.notCftp(`it sent ${this.quoted()}`) };
    const message = result.message;
    if (message.type === 'error' && (message.id === null || message.id === this.helloId)) {
      // A CFTP server that refuses us (EVERSION, EBUSY, ESHUTDOWN…): its own code.
      return { kind: 'fail', error: errorFromCode(message.code, message.message) };
    }
    if (message.type !== 'welcome' || message.id !== this.helloId) {
      const type = escapeControls(message.type);
      return { kind: 'fail', error: this.notCftp(`it answered hello with "${type}"`) };
    }
    if (message.version !== PROTOCOL_VERSION) {
      const error = new ProtocolError(
        'EVERSION',
        `${this.where} speaks protocol version ${message.version}; this client speaks ${PROTOCOL_VERSION}`,
      );
      return { kind: 'fail', error };
    }
    if (!message.features.includes('sha256')) {
      const error = new ProtocolError(
        'EPROTO',
        `${this.where} did not offer the sha256 feature every CFTP server must have: refused`,
      );
      return { kind: 'fail', error };
    }
    return { kind: 'welcome', welcome: message };
  }
}

const quote = (path: string) => `"${escapeControls(path)}"`;

/** A request as the client's messages name it: `get "a.txt"`, `getmany of 3 files`. */
export function describeRequest(message: ClientMessage): string {
  switch (message.type) {
    case 'list':
      return `list ${quote(message.path ?? '')}`;
    case 'get':
    case 'put':
    case 'stat':
    case 'mkdir':
    case 'rmdir':
    case 'delete':
      return `${message.type} ${quote(message.path)}`;
    case 'rename':
      return `rename ${quote(message.from)} to ${quote(message.to)}`;
    case 'getmany':
      return `getmany of ${message.paths.length} files`;
    case 'putmany':
      return `putmany of ${message.files.length} files`;
    default:
      return message.type;
  }
}
