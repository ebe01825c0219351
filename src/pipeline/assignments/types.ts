/** One assignment interval: who held which prefix (and port block) when. */
export interface AssignmentRow {
  subscriberId: string;
  /** Canonical cidr text (host bits cleared). */
  prefix: string;
  /** Inclusive port block on a shared address (CGNAT), else undefined. */
  ports?: [number, number];
  /** Lower bound; null means "since ever" (static tables). */
  start: Date | null;
  /** Upper bound (exclusive); null means still open. */
  end: Date | null;
  kind: string;
  sessionId?: string;
}

/**
 * What a format parser yields. `row` is a complete (or open-ended, never closed later) interval
 * streamed straight to COPY. `start`/`stop` belong to a session (RADIUS accounting, CGNAT port
 * blocks): the importer pairs them within the file and, across imports, closes the open interval a
 * previous import left. `resolve` rows need their subscriber looked up from the assignment of an
 * internal address (CGNAT without a subscriber column).
 */
export type AssignmentEvent =
  | { type: 'row'; line: number; row: AssignmentRow; resolve?: ResolveBy }
  | { type: 'start'; line: number; key: string; row: AssignmentRow; resolve?: ResolveBy }
  | { type: 'stop'; line: number; key: string; end: Date; row?: AssignmentRow; resolve?: ResolveBy }
  | { type: 'error'; line: number; message: string };

/** Look the subscriber up as "who held `internal` at `at`" in the existing assignments. */
export interface ResolveBy {
  internal: string;
  at: Date;
}

export interface LineError {
  line: number;
  message: string;
}

/** Options a parser may need. */
export interface ParseOptions {
  /** DHCP: which lease field carries the subscriber id. */
  subscriberField: DhcpSubscriberField;
  /** Syslog lines without a year (RFC 3164) take this year. */
  year: number;
}

export const DHCP_SUBSCRIBER_FIELDS = [
  'remote-id',
  'circuit-id',
  'hardware',
  'client-id',
  'hostname',
] as const;
export type DhcpSubscriberField = (typeof DHCP_SUBSCRIBER_FIELDS)[number];

/** Session key for pairing: the same session, prefix and port block. */
export function sessionKey(row: AssignmentRow): string {
  return `${row.sessionId ?? ''}|${row.prefix}|${row.ports ? `${row.ports[0]}-${row.ports[1]}` : ''}`;
}
