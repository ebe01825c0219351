import { lineParser } from '../../base.js';
import { requireUrl } from '../../fields.js';

/** OpenPhish feed.txt: one phishing URL per line, no header. See docs/feeds/openphish-txt.md. */
export const parser = lineParser('openphish-txt', () => ({
  parseLine(line) {
    const url = line.trim();
    if (url === '' || url.startsWith('#')) return null;
    return { kind: 'url', value: requireUrl(url), category: 'phishing', attributes: {} };
  },
}));
