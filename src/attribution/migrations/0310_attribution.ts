/**
 * Attribution support: MAP-E basic mapping rules (RFC 7597), an index to find a session's open
 * interval when a later import closes it, and one to take pending evidence of a measure in order.
 */
export const id = '0310_attribution';
export const sql = /* sql */ `
CREATE TABLE mape_rules (
  id          serial PRIMARY KEY,
  name        text NOT NULL,
  ipv6_prefix cidr NOT NULL,
  ipv4_prefix cidr NOT NULL UNIQUE,
  ea_bits     integer NOT NULL CHECK (ea_bits BETWEEN 0 AND 48),
  psid_offset integer NOT NULL DEFAULT 6 CHECK (psid_offset BETWEEN 0 AND 15),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mape_rules_ipv4 ON mape_rules USING gist (ipv4_prefix inet_ops);

CREATE INDEX assignments_open_session ON assignments (session_id) WHERE upper_inf(during);
CREATE INDEX evidence_pending_measure ON evidence (measure, id) WHERE attributed_at IS NULL;
CREATE INDEX evidence_subscriber ON evidence (subscriber_id, measure) WHERE subscriber_id IS NOT NULL;
`;
