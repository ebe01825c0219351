export * from './ids.js';
export * from './objects.js';
export { classifyTlp, remapRefs, type SharingRules, sanitizeOutbound } from './rules.js';
export * from './tlp.js';
