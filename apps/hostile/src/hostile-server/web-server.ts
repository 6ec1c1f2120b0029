// A web server where a CFTP server was expected: node:http, or node:https with the test
// certificate. A CFTP hello is not an HTTP request, so it answers as any web server would
// (400 Bad Request) and closes: what a client pointed at the wrong port meets (§4.1).
import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { HOST } from './data-channel.js';
import { TEST_TLS } from './server.js';

export interface WebServer {
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startWebServer(tls: boolean): Promise<WebServer> {
  const answer = (_request: unknown, response: { end(text: string): void }) =>
    response.end('<html><body>not CFTP</body></html>\n');
  const server: Server = tls
    ? createHttpsServer({ key: TEST_TLS.key, cert: TEST_TLS.cert }, answer)
    : createHttpServer(answer);
  let connections = 0;
  server.on('connection', () => {
    connections++;
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
