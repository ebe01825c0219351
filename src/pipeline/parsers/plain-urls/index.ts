import { lineParser } from '../../base.js';
import { requireUrl } from '../../fields.js';
import { stripComment } from '../plain.js';

/** One URL per line, `#` comments. Category `other` (the source's config says what it lists). */
export const parser = lineParser('plain-urls', () => ({
  parseLine(line) {
    const text = stripComment(line);
    if (text === '') return null;
    return { kind: 'url', value: requireUrl(text), category: 'other', attributes: {} };
  },
}));
