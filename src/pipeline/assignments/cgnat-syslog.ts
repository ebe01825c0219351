import { normalizeAddr, parsePortRange } from './addr.js';
import { cgnatEvent } from './cgnat-csv.js';
import { type ImportInput, parseTime, readLines } from './text.js';
import type { AssignmentEvent } from './types.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5424 (`<134>1 2026-11-23T07:00:00Z host …`) or RFC 3164 (`Nov 23 07:00:00 host …`, UTC, year given). */
function syslogTime(line: string, year: number): Date | null {
  const iso = /^(?:<\d+>1 )?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))\s/.exec(
    line,
  );
  if (iso) return parseTime(iso[1]);
  const bsd = /^(?:<\d+>)?([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})\s/.exec(line);
  if (!bsd || !MONTHS.includes(bsd[1])) return null;
  return new Date(Date.UTC(year, MONTHS.indexOf(bsd[1]), +bsd[2], +bsd[3], +bsd[4], +bsd[5]));
}

const JUNIPER = /JSERVICES_NAT_PORT_BLOCK_(ALLOC|RELEASE|ACTIVE): (\S+) -> (\S+):(\d+-\d+)/;

/**
 * Juniper MX/MS-MPC deterministic/PBA NAT logs: `JSERVICES_NAT_PORT_BLOCK_ALLOC: 100.64.0.10 ->
 * 203.0.113.5:1024-2047 0x…` and `…_RELEASE: …` (the interim `…_ACTIVE` counts as an allocation).
 * Event time is the syslog timestamp. Lines of other messages are skipped.
 */
export async function* parseCgnatSyslog(input: ImportInput, year: number): AsyncGenerator<AssignmentEvent> {
  for await (const { no, text } of readLines(input)) {
    if (!text.includes('JSERVICES_NAT_PORT_BLOCK_')) continue;
    const m = JUNIPER.exec(text);
    const at = syslogTime(text, year);
    const internal = m && normalizeAddr(m[2]);
    const external = m && normalizeAddr(m[3]);
    const ports = m && parsePortRange(m[4]);
    if (!m || !at || !internal || !external || !ports) {
      yield {
        type: 'error',
        line: no,
        message: `malformed JSERVICES_NAT_PORT_BLOCK line: ${text.slice(0, 80)}`,
      };
      continue;
    }
    yield cgnatEvent(
      no,
      m[1] === 'RELEASE' ? 'release' : 'allocate',
      at,
      internal,
      external,
      ports,
      undefined,
    );
  }
}
