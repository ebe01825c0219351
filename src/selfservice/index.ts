export { selfserviceConfigSchema } from './config.js';
export { selfServiceRoutes } from './routes.js';
export { openLink, selfServiceConsent, selfServiceFixed, type SelfServiceView, viewSelfService } from './service.js';
export { baseUrl, type LinkClaims, linkSecret, selfServiceLink, signToken, verifyToken } from './token.js';
