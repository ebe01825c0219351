export { type ErrorBody, errorBody } from './errors.js';
export { ROUTE_MODULES, type RouteModule } from './routes/index.js';
export { StringEnum } from './schema.js';
export { buildApi } from './server.js';
