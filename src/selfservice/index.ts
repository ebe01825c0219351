export { selfserviceConfigSchema } from './config.js';
export { baseUrl, type LinkClaims, linkSecret, selfServiceLink, signToken, verifyToken } from './token.js';
