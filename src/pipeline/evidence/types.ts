/** One piece of evidence: an address (and source port) seen doing something at a time. */
export interface EvidenceRow {
  addr: string;
  port: number | null;
  seenAt: Date;
  kind: string;
  family: string | null;
  source: string;
  raw: Record<string, unknown>;
}

export type EvidenceEvent =
  | { type: 'row'; line: number; row: EvidenceRow }
  | { type: 'error'; line: number; message: string };
