export * from './address.js';
export * from './client.js';
export * from './errors.js';
export * from './framing.js';
export * from './limits.js';
export * from './server.js';
