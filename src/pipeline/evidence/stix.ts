import { normalizeAddr } from '../assignments/addr.js';
import { type ImportInput, readAll } from '../assignments/text.js';
import type { EvidenceEvent } from './types.js';

type Sdo = Record<string, unknown> & { type: string; id: string };

/**
 * STIX 2.1 bundle of sightings: each `sighting` references `observed-data` whose `object_refs`
 * hold `network-traffic` (src_ref → ipv4-addr/ipv6-addr, src_port) or bare address objects. One
 * evidence row per observed source address. The family is the name of what was sighted
 * (sighting_of_ref → malware/indicator/infrastructure). Errors name the line of the object's id.
 */
export async function* parseStixSightings(
  input: ImportInput,
  defaultSource: string,
): AsyncGenerator<EvidenceEvent> {
  const text = await readAll(input);
  let bundle: { type?: string; objects?: unknown };
  try {
    bundle = JSON.parse(text);
  } catch (e) {
    yield { type: 'error', line: 1, message: `not JSON: ${(e as Error).message}` };
    return;
  }
  if (bundle?.type !== 'bundle' || !Array.isArray(bundle.objects)) {
    yield { type: 'error', line: 1, message: 'not a STIX 2.1 bundle (type "bundle" with objects)' };
    return;
  }
  const objects = (bundle.objects as unknown[]).filter(
    (o): o is Sdo => !!o && typeof o === 'object' && typeof (o as Sdo).id === 'string',
  );
  const byId = new Map(objects.map((o) => [o.id, o]));
  const lineOf = (id: string) => {
    const at = text.indexOf(`"${id}"`);
    return at < 0 ? 1 : text.slice(0, at).split('\n').length;
  };
  for (const s of objects) {
    if (s.type !== 'sighting') continue;
    const line = lineOf(s.id);
    const refs = Array.isArray(s.observed_data_refs) ? (s.observed_data_refs as string[]) : [];
    const sighted = byId.get(String(s.sighting_of_ref ?? ''));
    const family =
      typeof sighted?.name === 'string'
        ? sighted.name.toLowerCase()
        : Array.isArray(sighted?.malware_types)
          ? String(sighted.malware_types[0])
          : null;
    const creator = byId.get(String(s.created_by_ref ?? ''));
    const source = typeof creator?.name === 'string' ? creator.name : defaultSource;
    const found: Array<{ addr: string; port: number | null; at: Date; od: string }> = [];
    const problems: string[] = [];
    if (refs.length === 0) problems.push('no observed_data_refs');
    for (const ref of refs) {
      const od = byId.get(ref);
      if (od?.type !== 'observed-data') {
        problems.push(`observed-data ${ref} is not in the bundle`);
        continue;
      }
      const t = String(s.last_seen ?? s.first_seen ?? od.last_observed ?? od.first_observed ?? '');
      const at = new Date(t);
      if (Number.isNaN(at.getTime())) {
        problems.push(`no valid time (last_seen/first_seen/last_observed) for ${ref}`);
        continue;
      }
      const members = (Array.isArray(od.object_refs) ? (od.object_refs as string[]) : [])
        .map((r) => byId.get(r))
        .filter((o): o is Sdo => !!o);
      const traffic = members.filter((o) => o.type === 'network-traffic');
      const addrOf = (o: Sdo | undefined) =>
        o && (o.type === 'ipv4-addr' || o.type === 'ipv6-addr') ? normalizeAddr(String(o.value ?? '')) : null;
      if (traffic.length > 0) {
        for (const nt of traffic) {
          const addr = addrOf(byId.get(String(nt.src_ref ?? '')));
          const port = nt.src_port === undefined ? null : Number(nt.src_port);
          if (!addr || (port !== null && !(Number.isInteger(port) && port >= 0 && port <= 65535))) {
            problems.push(`network-traffic ${nt.id} has no valid src_ref address / src_port`);
            continue;
          }
          found.push({ addr, port, at, od: od.id });
        }
      } else {
        for (const m of members) {
          if (m.type !== 'ipv4-addr' && m.type !== 'ipv6-addr') continue;
          const addr = addrOf(m);
          if (!addr) problems.push(`${m.id} value is not an IP address`);
          else found.push({ addr, port: null, at, od: od.id });
        }
      }
    }
    if (problems.length || found.length === 0) {
      yield {
        type: 'error',
        line,
        message: `sighting ${s.id}: ${problems.join('; ') || 'no address observed'}`,
      };
      continue;
    }
    for (const f of found)
      yield {
        type: 'row',
        line,
        row: {
          addr: f.addr,
          port: f.port,
          seenAt: f.at,
          kind: 'sighting',
          family,
          source,
          raw: { sighting: s.id, observed_data: f.od, sighting_of: s.sighting_of_ref ?? null },
        },
      };
  }
}
