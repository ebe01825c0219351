/**
 * The one catalog of error codes. Codes are stable: clients and scripts match on them, so a code is
 * never renamed or reused; add new ones instead. `status` is the HTTP status the API answers with.
 * Capability modules add their codes here (grouped by prefix) rather than inventing local ones.
 */
export const ERROR_CATALOG = {
  // configuration
  CONFIG_UNKNOWN_KEY: { status: 500, title: 'Unknown configuration key' },
  CONFIG_INVALID_VALUE: { status: 500, title: 'Invalid configuration value' },
  CONFIG_FILE_UNREADABLE: { status: 500, title: 'Configuration file cannot be read or parsed' },
  // store
  STORE_UNAVAILABLE: { status: 503, title: 'The store cannot be reached' },
  STORE_LOCKED: { status: 409, title: 'The embedded store is in use by another process' },
  MIGRATION_FAILED: { status: 500, title: 'A schema migration failed' },
  // auth
  AUTH_MISSING: { status: 401, title: 'Authentication required' },
  AUTH_INVALID: { status: 401, title: 'The token is not valid' },
  AUTH_FORBIDDEN: { status: 403, title: 'Your role does not allow this' },
  // requests
  REQUEST_INVALID: { status: 400, title: 'The request is not valid' },
  REQUEST_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  CONFLICT: { status: 409, title: 'Conflict with the current state' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'Internal error' },
  // measures and legal basis
  MEASURE_UNKNOWN: { status: 400, title: 'Unknown measure' },
  MEASURE_DISABLED: { status: 403, title: 'The measure is disabled' },
  MEASURE_NO_LEGAL_BASIS: { status: 403, title: 'The measure has no valid legal basis for this' },
  MEASURE_DATA_NOT_PERMITTED: { status: 403, title: 'The measure may not touch this data' },
  MEASURE_NO_CONSENT: { status: 403, title: 'The subscriber has not consented to this measure' },
  // audit
  AUDIT_CHAIN_BROKEN: { status: 500, title: 'The audit chain is broken' },
  // subscribers, assignments, evidence, attribution
  SUBSCRIBER_NOT_FOUND: { status: 404, title: 'No such subscriber' },
  SUBSCRIBER_IMPORT_INVALID: { status: 400, title: 'The subscriber file cannot be imported' },
  CONSENT_NOT_APPLICABLE: { status: 409, title: 'This measure does not rest on consent' },
  ASSIGNMENT_FORMAT_UNKNOWN: { status: 400, title: 'Unknown assignment log format' },
  EVIDENCE_FORMAT_UNKNOWN: { status: 400, title: 'Unknown evidence format' },
  // feeds: parsers and collectors (src/pipeline)
  FEED_UNKNOWN_FORMAT: { status: 400, title: 'Unknown feed format' },
  FEED_UNREADABLE: { status: 400, title: 'The feed cannot be read' },
  FEED_FETCH_FAILED: { status: 502, title: 'The feed could not be fetched' },
  FEED_SOURCE_UNKNOWN: { status: 404, title: 'No such feed source' },
  // cases, notices, outbox, self-service, site owners (src/cases, src/notify, src/selfservice, src/siteowners)
  CASE_NOT_FOUND: { status: 404, title: 'No such case' },
  CASE_INVALID_STATE: { status: 409, title: 'The case is not in a state that allows this' },
  CASE_NO_TEMPLATE: { status: 500, title: 'No notice template for this measure' },
  NOTICE_NOT_FOUND: { status: 404, title: 'No such notice' },
  NOTIFY_CHANNEL_UNCONFIGURED: { status: 500, title: 'A notice channel is not configured' },
  SELFSERVICE_LINK_INVALID: { status: 403, title: 'The self-service link is not valid' },
  SELFSERVICE_LINK_EXPIRED: { status: 410, title: 'The self-service link has expired' },
  SELFSERVICE_NOT_CONSENT_BASED: { status: 400, title: 'This measure does not rest on consent' },
  // canonicalisation and lookup API
  CANON_INVALID: { status: 400, title: 'The value cannot be canonicalised' },
  LOOKUP_INVALID_PREFIX: { status: 400, title: 'A hash prefix is not valid base64 of 4 to 32 bytes' },
  // sharing hub (src/sharing)
  TAXII_PARTNER_ERROR: { status: 502, title: 'A TAXII partner answered with an error' },
  SHARING_REFUSED: { status: 403, title: 'The object may not be shared' },
  // demo and exercise scenarios (src/demo)
  DEMO_SCENARIO_INVALID: { status: 400, title: 'The scenario file is not valid' },
  DEMO_GROUND_TRUTH_MISSING: { status: 400, title: 'No ground truth to review against' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOG;
