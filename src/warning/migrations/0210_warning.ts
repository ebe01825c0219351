/**
 * Warning page state: the signing secret shared by every warning listener on the store, and the
 * short-lived per-client bypasses ("continue anyway") the DNS resolver consults. Forward-only.
 */
export const id = '0210_warning';
export const sql = /* sql */ `
CREATE TABLE warning_keys (
  name       text PRIMARY KEY,
  secret     text NOT NULL,
  created_at timestamptz NOT NULL
);

-- client: an IPv4 address or an IPv6 /64 (see src/warning/bypass.ts); rows live minutes, the
-- warning service deletes expired ones, and nothing else ever stores the client address.
CREATE TABLE warning_bypasses (
  client     text NOT NULL,
  host       text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (client, host)
);
CREATE INDEX warning_bypasses_expiry ON warning_bypasses (expires_at);
`;
