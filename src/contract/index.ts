export * from './errors.js';
export * from './schemas/index.js';
