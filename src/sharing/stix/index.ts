export * from './ids.js';
export * from './tlp.js';
export * from './objects.js';
export { classifyTlp, sanitizeOutbound, remapRefs, type SharingRules } from './rules.js';
