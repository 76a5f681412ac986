export * from './streams.js';
export * from './schemas.js';
export * from './validators.js';
export * from './topics.js';
export * from './lake.js';
export * from './columns.js';
export * from './jsonschema.js';
export * from './cli-schema.js';
