export * from './errors.js';
export * from './retry.js';
export * from './log.js';
export * from './validate.js';
export * from './formats.js';
export * from './config.js';
export * from './cli.js';
export * from './lifecycle.js';
