import { normalizeAddr, normalizePrefix } from './addr.js';
import { type ImportInput, readLines } from './text.js';
import { type AssignmentEvent, type AssignmentRow, sessionKey } from './types.js';

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};
const ZONES: Record<string, number> = { UTC: 0, GMT: 0, JST: 9 * 60 };

/**
 * FreeRADIUS writes Event-Timestamp either as epoch seconds or as "Nov 23 2026 07:00:00 UTC"
 * (the zone is the server's: UTC/GMT/JST or a ±hhmm offset).
 */
export function parseRadiusTime(v: string): Date | null {
  if (/^\d+$/.test(v)) return new Date(Number(v) * 1000);
  const m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?: ([A-Z]+|[+-]\d{4}))?$/.exec(v);
  if (!m || !(m[1] in MONTHS)) return null;
  let offsetMin = 0;
  if (m[7]) {
    if (m[7] in ZONES) offsetMin = ZONES[m[7]];
    else if (/^[+-]\d{4}$/.test(m[7]))
      offsetMin = (m[7][0] === '-' ? -1 : 1) * (Number(m[7].slice(1, 3)) * 60 + Number(m[7].slice(3)));
    else return null;
  }
  const utc = Date.UTC(Number(m[3]), MONTHS[m[1]], Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]));
  return new Date(utc - offsetMin * 60_000);
}

interface Rec {
  line: number;
  attrs: Map<string, { value: string; line: number }>;
  bad: boolean;
}

/**
 * FreeRADIUS `detail` accounting file: records separated by blank lines, each a timestamp header
 * line then tab-indented `Attr = value` lines. Start and Interim-Update open a session's intervals
 * (one per Framed-IP-Address / Framed-IPv6-Prefix / Delegated-IPv6-Prefix), Stop closes them.
 */
export async function* parseRadiusDetail(input: ImportInput): AsyncGenerator<AssignmentEvent> {
  let rec: Rec | undefined;
  for await (const { no, text } of readLines(input)) {
    if (text.trim() === '') {
      if (rec) yield* finish(rec);
      rec = undefined;
      continue;
    }
    if (!rec) {
      // The header line ("Mon Nov 23 07:00:00 2026"); its time is local, so Event-Timestamp wins.
      rec = { line: no, attrs: new Map(), bad: false };
      if (/^\s/.test(text) || text.includes(' = ')) {
        rec.bad = true;
        yield { type: 'error', line: no, message: 'record does not start with a timestamp header line' };
      }
      continue;
    }
    const m = /^\s+([A-Za-z0-9][\w.:-]*)\s*=\s*(.*?)\s*$/.exec(text);
    if (!m) {
      rec.bad = true;
      yield {
        type: 'error',
        line: no,
        message: `not an "Attribute = value" line: ${text.trim().slice(0, 60)}`,
      };
      continue;
    }
    let value = m[2];
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    rec.attrs.set(m[1], { value, line: no });
  }
  if (rec) yield* finish(rec);
}

function* finish(rec: Rec): Generator<AssignmentEvent> {
  if (rec.bad) return; // its malformed line was reported; a half-read record is not guessed at
  const get = (k: string) => rec.attrs.get(k)?.value;
  const status = get('Acct-Status-Type');
  if (status === undefined) {
    yield { type: 'error', line: rec.line, message: 'record has no Acct-Status-Type' };
    return;
  }
  if (!['Start', 'Interim-Update', 'Alive', 'Stop'].includes(status)) return; // Accounting-On/Off etc.
  const user = get('User-Name');
  const session = get('Acct-Session-Id');
  if (!user || !session) {
    yield { type: 'error', line: rec.line, message: 'record lacks User-Name or Acct-Session-Id' };
    return;
  }
  const tsRaw = get('Event-Timestamp') ?? get('Timestamp');
  const at = tsRaw ? parseRadiusTime(tsRaw) : null;
  if (!at) {
    const line = rec.attrs.get('Event-Timestamp')?.line ?? rec.line;
    yield { type: 'error', line, message: `no usable Event-Timestamp/Timestamp (${tsRaw ?? 'missing'})` };
    return;
  }
  const sessionTime = Number(get('Acct-Session-Time') ?? Number.NaN);
  const began = Number.isFinite(sessionTime) ? new Date(at.getTime() - sessionTime * 1000) : null;
  const rows: AssignmentRow[] = [];
  for (const attr of ['Framed-IP-Address', 'Framed-IPv6-Prefix', 'Delegated-IPv6-Prefix']) {
    const a = rec.attrs.get(attr);
    if (!a) continue;
    const prefix =
      attr === 'Framed-IP-Address'
        ? normalizeAddr(a.value) && normalizePrefix(a.value)
        : normalizePrefix(a.value);
    if (!prefix) {
      yield { type: 'error', line: a.line, message: `${attr} is not a valid address/prefix: ${a.value}` };
      return;
    }
    rows.push({
      subscriberId: user,
      prefix,
      start: status === 'Start' ? at : (began ?? at),
      end: null,
      kind: attr === 'Framed-IP-Address' ? 'radius' : 'radius-v6',
      sessionId: session,
    });
  }
  if (rows.length === 0) {
    yield { type: 'error', line: rec.line, message: 'record carries no Framed-IP-Address or IPv6 prefix' };
    return;
  }
  for (const row of rows) {
    if (status === 'Stop')
      yield {
        type: 'stop',
        line: rec.line,
        key: sessionKey(row),
        end: at,
        row: began ? { ...row, start: began, end: at } : undefined,
      };
    else yield { type: 'start', line: rec.line, key: sessionKey(row), row };
  }
}
