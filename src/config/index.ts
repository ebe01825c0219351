export { envTable } from './env.js';
export { type LoadOptions, loadConfig, validateConfig } from './load.js';
export { type Config, configSchema, section } from './schema.js';
