import { lineParser } from '../../base.js';
import { requireDomain } from '../../fields.js';
import { stripComment } from '../plain.js';

/** One domain per line, `#` comments; `*.name` lists the subdomains too. */
export const parser = lineParser('plain-domains', () => ({
  parseLine(line) {
    const text = stripComment(line);
    if (text === '') return null;
    const wildcard = text.startsWith('*.');
    const name = requireDomain(wildcard ? text.slice(2) : text);
    return {
      kind: 'domain',
      value: name,
      category: 'other',
      ...(wildcard ? { wildcard } : {}),
      attributes: {},
    };
  },
}));
