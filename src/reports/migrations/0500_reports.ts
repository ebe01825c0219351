/**
 * Activity reporting (DESIGN §4 M): daily rollups that the dashboard and the monthly report read, so
 * aggregates stay sub-second however many events there were. Also dashboard users (argon2 passwords)
 * and expiring session tokens.
 */
export const id = '0500_reports';
export const sql = /* sql */ `
-- One row per day and dimension combination; '' where a dimension does not apply.
CREATE TABLE activity_daily (
  day      date NOT NULL,
  metric   text NOT NULL,
  measure  text NOT NULL DEFAULT '',
  family   text NOT NULL DEFAULT '',
  category text NOT NULL DEFAULT '',
  value    bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, metric, measure, family, category)
);

CREATE TABLE users (
  username      text PRIMARY KEY,
  role          text NOT NULL CHECK (role IN ('admin', 'analyst', 'operator', 'auditor')),
  password_hash text NOT NULL,
  language      text NOT NULL DEFAULT 'ja' CHECK (language IN ('ja', 'en')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  disabled_at   timestamptz
);

ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
`;
