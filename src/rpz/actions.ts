import ipaddr from 'ipaddr.js';
import type { PolicyAction } from '../policy/index.js';

/**
 * When several entries hit one owner name, the stronger action wins, so that a name listed both as
 * a C&C (block) and as a phishing site (warn) is never weakened to the warning: drop > nxdomain >
 * nodata > warn > passthru. The rank is what the zone state stores per owner.
 */
export const ACTION_RANK: Record<PolicyAction, number> = {
  passthru: 0,
  warn: 1,
  nodata: 2,
  nxdomain: 3,
  drop: 4,
};
export const RANK_ACTION: PolicyAction[] = ['passthru', 'warn', 'nodata', 'nxdomain', 'drop'];

/** One policy record's type and data as written in a zone file (data absolute, with trailing dot). */
export interface PolicyRdata {
  type: 'A' | 'AAAA' | 'CNAME';
  data: string;
}

export interface ActionSettings {
  warningHost: string;
  warningAddresses: string[];
}

/**
 * The records that express each action (draft-vixie-dnsop-dns-rpz §3): warn → local data (the warning
 * page's addresses, or a CNAME to its host name), nxdomain → `CNAME .`, nodata → `CNAME *.`,
 * passthru → `CNAME rpz-passthru.`, drop → `CNAME rpz-drop.`. Indexed by rank.
 */
export function actionRecords(s: ActionSettings): PolicyRdata[][] {
  const warn: PolicyRdata[] = [];
  for (const a of s.warningAddresses) {
    const addr = ipaddr.parse(a);
    warn.push({ type: addr.kind() === 'ipv4' ? 'A' : 'AAAA', data: addr.toString() });
  }
  if (warn.length === 0) warn.push({ type: 'CNAME', data: `${s.warningHost.replace(/\.+$/, '')}.` });
  return [
    [{ type: 'CNAME', data: 'rpz-passthru.' }],
    warn,
    [{ type: 'CNAME', data: '*.' }],
    [{ type: 'CNAME', data: '.' }],
    [{ type: 'CNAME', data: 'rpz-drop.' }],
  ];
}
