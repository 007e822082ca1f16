export * from './authorization-header.js';
export * from './candidate-strings.js';
export * from './canonical-string.js';
export * from './hmac.js';
export * from './request-date.js';
export * from './sign-request.js';
export * from './webhook-signature.js';
