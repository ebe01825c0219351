export {
  ATTRIBUTION_LOCK,
  type AttributeOptions,
  type AttributionReport,
  attributePending,
  UNATTRIBUTED_REASONS,
  type UnattributedReason,
} from './attribute.js';
export { attributionConfig } from './config.js';
