export { selfserviceConfigSchema } from './config.js';
export { selfServiceRoutes } from './routes.js';
export {
  openLink,
  type SelfServiceView,
  selfServiceConsent,
  selfServiceFixed,
  viewSelfService,
} from './service.js';
export { baseUrl, type LinkClaims, linkSecret, selfServiceLink, signToken, verifyToken } from './token.js';
