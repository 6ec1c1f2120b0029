// The `--metrics HOST:PORT` argument of `cftp server`: where the metrics and health listener
// binds. The host is required, so exposing metrics on every interface is a choice written
// out (`0.0.0.0:9464`), never a default; an IPv6 host goes in brackets (`[::1]:9464`).
import { isIP } from 'node:net';
import { InvalidArgumentError } from 'commander';

export interface MetricsAddress {
  host: string;
  port: number;
}

/** A DNS name such as `localhost` or `metrics.internal`: letters, digits, `-`, dots between. */
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Parses `HOST:PORT` (port 0 picks a free one); commander shows the message as a usage error. */
export function parseMetricsAddress(text: string): MetricsAddress {
  const fail = (why: string): never => {
    throw new InvalidArgumentError(`${why}; expected HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464`);
  };
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) fail('missing "]" after the IPv6 address');
    host = text.slice(1, close);
    if (isIP(host) !== 6) fail(`"${host}" is not an IPv6 address`);
    if (text[close + 1] !== ':') fail('expected ":PORT" after "]"');
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) fail('no port');
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host === '') fail('no host');
    if (host.includes(':')) fail('put an IPv6 address in brackets');
    if (isIP(host) === 0 && !HOST_NAME.test(host)) fail(`"${host}" is not a host name or address`);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    fail(`"${portText}" is not a port from 0 to 65535`);
  }
  return { host, port: Number(portText) };
}

/** `127.0.0.1:9464`, `[::1]:9464`: the form `--metrics` takes and the start-up notice prints. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
