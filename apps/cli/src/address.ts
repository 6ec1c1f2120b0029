// `HOST:PORT:/path`, the server side of the one-shot `cftp get` and `cftp put`. IPv6 hosts go
// in brackets (`[::1]:2121:/x`): a bare IPv6 address cannot be told apart from the port.
// The path is relative to the server's root; a leading `/` is allowed and means the root.
import { usageError } from './errors.js';

export interface RemoteAddress {
  host: string;
  port: number;
  /** A path relative to the server's root, as the session's commands take it. */
  path: string;
}

const PORT = /^\d{1,5}$/;

export function parseRemoteAddress(text: string): RemoteAddress {
  let host: string;
  let rest: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw usageError(`"${text}": missing "]" after the IPv6 address`);
    host = text.slice(1, close);
    if (host === '' || !host.includes(':')) {
      throw usageError(`"${text}": brackets are for IPv6 addresses`);
    }
    if (text[close + 1] !== ':') throw usageError(`"${text}": expected ":PORT:" after "]"`);
    rest = text.slice(close + 2);
  } else {
    const beforePath = text.split('/')[0]!;
    if ((beforePath.match(/:/g) ?? []).length > 2) {
      throw usageError(`"${text}": put an IPv6 address in brackets: [::1]:2121:/path`);
    }
    const colon = text.indexOf(':');
    if (colon <= 0) throw usageError(`"${text}" is not HOST:PORT:/path`);
    host = text.slice(0, colon);
    rest = text.slice(colon + 1);
  }
  const colon = rest.indexOf(':');
  const portText = colon < 0 ? rest : rest.slice(0, colon);
  if (!PORT.test(portText)) {
    throw usageError(`"${text}": expected a port number after the host`);
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) throw usageError(`"${text}": port must be from 1 to 65535`);
  if (colon < 0) throw usageError(`"${text}": expected ":/path" after the port`);
  const path = rest.slice(colon + 1).replace(/^\/+/, '');
  return { host, port, path: path === '' ? '.' : path };
}
