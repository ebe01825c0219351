import { type LineUnit, lineParser } from '../../base.js';
import { requireIp } from '../../fields.js';
import { checkEndTrailer } from '../../trailer.js';

/** Feodo Tracker botnet C2 IP blocklist, plain text (one IP per line). See docs/feeds/feodo-txt.md. */
export const parser = lineParser('feodo-txt', (): LineUnit => {
  let dataLines = 0;
  return {
    parseLine(line, no) {
      const text = line.trim();
      if (text.startsWith('#')) return checkEndTrailer(text, no, dataLines);
      if (text === '') return null;
      dataLines++;
      return { kind: 'ip', value: requireIp(text), category: 'c2', attributes: {} };
    },
  };
});
