// The ftp-srv peer: an anonymous FTP server on 127.0.0.1 serving one folder, with passive
// data connections on loopback. Prints `{"port": N}` once listening.
import { FtpSrv } from 'ftp-srv';
import { workerArgs } from './io.js';

export interface FtpSrvArgs {
  root: string;
  port: number;
}

const args = workerArgs<FtpSrvArgs>();

/** ftp-srv logs through bunyan by default; the bench wants it quiet. */
const silent = {
  child: () => silent,
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  fatal: () => {},
};

const server = new FtpSrv({
  url: `ftp://127.0.0.1:${args.port}`,
  pasv_url: '127.0.0.1',
  pasv_min: 20000,
  pasv_max: 29999,
  anonymous: true,
  log: silent,
});
server.on('login', (_data, resolve) => resolve({ root: args.root }));
await server.listen();
process.stdout.write(`${JSON.stringify({ port: args.port })}\n`);
