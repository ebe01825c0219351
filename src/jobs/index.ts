export { purgeExpired, RETENTION_TARGETS, type RetentionTarget } from './retention.js';
export { type Job, Scheduler } from './scheduler.js';
