// @cftp/protocol: the CFTP wire codec (docs/protocol.md). Pure: no I/O, no sockets.
export * from './codec.js';
export * from './constants.js';
export * from './digest.js';
export * from './display.js';
export * from './errors.js';
export * from './frame.js';
export * from './links.js';
export * from './messages.js';
export * from './modes.js';
export * from './os-errors.js';
export * from './paths.js';
export * from './pump.js';
export * from './reclaim.js';
export * from './schema.js';
export * from './temp-name.js';
export * from './tree.js';
export * from './write-behind.js';
