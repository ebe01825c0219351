import { lineParser } from '../../base.js';
import { requireCidr, requireIp } from '../../fields.js';
import { stripComment } from '../plain.js';

/** One IPv4/IPv6 address or CIDR per line, `#` comments. */
export const parser = lineParser('plain-ips', () => ({
  parseLine(line) {
    const text = stripComment(line);
    if (text === '') return null;
    if (text.includes('/'))
      return { kind: 'cidr', value: requireCidr(text), category: 'other', attributes: {} };
    return { kind: 'ip', value: requireIp(text), category: 'other', attributes: {} };
  },
}));
