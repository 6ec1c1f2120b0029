// The server's tests speak the wire protocol through the same raw client as the hostile
// suite (no @cftp/client on purpose). It lives in apps/testkit and is imported by source
// path: it needs only @cftp/protocol, and a package dependency on testkit would make a
// build cycle (testkit's own tests use the server).
export * from '../../../apps/testkit/src/wire.js';
