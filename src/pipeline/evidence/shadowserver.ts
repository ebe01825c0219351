import { normalizeAddr } from '../assignments/addr.js';
import { csvRecords, type ImportInput, parseTime } from '../assignments/text.js';
import type { EvidenceEvent } from './types.js';

const portOf = (s: string | undefined): number | null | undefined => {
  if (s === undefined || s === '') return null;
  if (!/^\d{1,5}$/.test(s) || Number(s) > 65535) return undefined;
  return Number(s);
};

/**
 * Shadowserver sinkhole reports: event4_sinkhole / event4_sinkhole_http / event6_* (`timestamp,
 * protocol, src_ip, src_port, …, infection, family, tag, …`) and the older drone/botnet_drone
 * layout (`timestamp, ip, port, …, infection, …`). The infected device is the source.
 */
export async function* parseShadowserverSinkhole(input: ImportInput): AsyncGenerator<EvidenceEvent> {
  for await (const r of csvRecords(input)) {
    if ('error' in r) {
      yield { type: 'error', line: r.no, message: r.error };
      continue;
    }
    const { rec, no } = r;
    const at = parseTime(rec.timestamp ?? '');
    const rawAddr = rec.src_ip ?? rec.ip ?? '';
    const addr = normalizeAddr(rawAddr);
    const port = portOf(rec.src_port ?? rec.port);
    if (!at || !addr || port === undefined) {
      yield {
        type: 'error',
        line: no,
        message: `needs a timestamp, a src_ip (or ip) and a numeric src_port (got "${rec.timestamp ?? ''}", "${rawAddr}", "${rec.src_port ?? rec.port ?? ''}")`,
      };
      continue;
    }
    const family = rec.infection || rec.family || rec.malware || null;
    yield {
      type: 'row',
      line: no,
      row: {
        addr,
        port,
        seenAt: at,
        kind: 'sinkhole',
        family: family ? family.toLowerCase() : null,
        source: 'shadowserver',
        raw: rec,
      },
    };
  }
}

/**
 * Shadowserver scan_dns_open_resolver (`timestamp, ip, protocol, port, hostname, tag, …`): the
 * scanned device answers recursive queries. The port is the scanned service port on that address.
 */
export async function* parseShadowserverOpenResolver(input: ImportInput): AsyncGenerator<EvidenceEvent> {
  for await (const r of csvRecords(input)) {
    if ('error' in r) {
      yield { type: 'error', line: r.no, message: r.error };
      continue;
    }
    const { rec, no } = r;
    const at = parseTime(rec.timestamp ?? '');
    const addr = normalizeAddr(rec.ip ?? '');
    const port = portOf(rec.port);
    if (!at || !addr || port === undefined) {
      yield {
        type: 'error',
        line: no,
        message: `needs a timestamp, an ip and a numeric port (got "${rec.timestamp ?? ''}", "${rec.ip ?? ''}")`,
      };
      continue;
    }
    yield {
      type: 'row',
      line: no,
      row: { addr, port, seenAt: at, kind: 'open-resolver', family: null, source: 'shadowserver', raw: rec },
    };
  }
}
