import ipaddr from 'ipaddr.js';
import { RejectLine } from '../../base.js';
import type { IndicatorKind } from '../../types.js';

/**
 * An `rpz-ip` trigger's owner (relative to the zone): the prefix length, then the address labels in
 * reverse (RFC draft-vixie-dnsop-dns-rpz §6.3): `32.1.2.0.192` is 192.0.2.1/32; IPv6 labels are
 * hextets with `zz` standing for `::`: `128.1.zz.db8.2001` is 2001:db8::1/128.
 */
export function ipTrigger(labels: string[]): { kind: IndicatorKind; value: string } {
  if (labels.length < 2) throw new RejectLine('rpz-ip trigger has no address');
  const prefix = labels[0];
  if (!/^\d{1,3}$/.test(prefix)) throw new RejectLine(`rpz-ip prefix length is not a number: ${prefix}`);
  const bits = Number(prefix);
  const rest = labels.slice(1).reverse();
  const isV4 = rest.length === 4 && rest.every((l) => /^\d{1,3}$/.test(l) && Number(l) <= 255);
  if (isV4) {
    if (bits < 1 || bits > 32) throw new RejectLine(`IPv4 prefix length out of range: ${bits}`);
    const addr = rest.map(Number).join('.');
    return bits === 32 ? { kind: 'ip', value: addr } : { kind: 'cidr', value: `${addr}/${bits}` };
  }
  const zz = rest.filter((l) => l.toLowerCase() === 'zz').length;
  if (zz > 1) throw new RejectLine('rpz-ip IPv6 trigger has more than one zz');
  if (!rest.every((l) => /^[0-9a-f]{1,4}$/i.test(l) || l.toLowerCase() === 'zz'))
    throw new RejectLine('rpz-ip trigger is neither an IPv4 nor an IPv6 address');
  let text = rest.map((l) => (l.toLowerCase() === 'zz' ? '' : l)).join(':');
  if (rest[0].toLowerCase() === 'zz') text = `:${text}`;
  if (rest[rest.length - 1].toLowerCase() === 'zz') text = `${text}:`;
  if (!ipaddr.IPv6.isValid(text)) throw new RejectLine(`rpz-ip trigger is not a valid IPv6 address: ${text}`);
  if (bits < 1 || bits > 128) throw new RejectLine(`IPv6 prefix length out of range: ${bits}`);
  const addr = ipaddr.IPv6.parse(text).toString();
  return bits === 128 ? { kind: 'ip', value: addr } : { kind: 'cidr', value: `${addr}/${bits}` };
}
