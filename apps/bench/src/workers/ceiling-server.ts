// The far end of the ceiling measurements, in its own process like a real server:
// `sink` reads and drops whatever a connection sends, then ends it; `tls-sink` does the same
// inside TLS (the receiver's CPU is read from /proc by the bench); `file` pipes a file into
// each connection with plain fs streams (the naive file → socket path).
import { createReadStream, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { workerArgs } from './io.js';

export interface CeilingServerArgs {
  mode: 'sink' | 'tls-sink' | 'file';
  /** `file`: the file to send. */
  path?: string;
  /** `tls-sink`: PEM files of the key and certificate. */
  key?: string;
  cert?: string;
}

const args = workerArgs<CeilingServerArgs>();

function serve(socket: Socket): void {
  socket.on('error', () => {});
  if (args.mode === 'sink' || args.mode === 'tls-sink') {
    socket.on('data', () => {});
    socket.on('end', () => socket.end());
  } else {
    createReadStream(args.path ?? '').pipe(socket);
  }
}

const server: Server =
  args.mode === 'tls-sink'
    ? createTlsServer(
        { key: readFileSync(args.key ?? ''), cert: readFileSync(args.cert ?? '') },
        serve,
      )
    : createServer(serve);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
