// How CFTP names a TLS certificate (docs/security.md): the server prints it at start, the
// client pins it in known_hosts. Here, not in the client engine, so that a server process
// can print it without loading the client's modules.
import { createHash } from 'node:crypto';

/** SSH-style fingerprint of a certificate: `SHA256:` and the unpadded base64 of its DER digest. */
export function certificateFingerprint(der: Buffer): string {
  return `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
}
