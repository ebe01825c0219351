import { type LineUnit, lineParser, RejectLine } from '../../base.js';
import { fieldsByName, parseTime, requireUrl, splitCsvLine } from '../../fields.js';
import type { Category } from '../../types.js';

/** Column order of abuse.ch's dumps; used when a copy comes without its `# id,…` header line. */
const DEFAULT_COLUMNS = [
  'id',
  'dateadded',
  'url',
  'url_status',
  'last_online',
  'threat',
  'tags',
  'urlhaus_link',
  'reporter',
];

/** URLhaus `threat` values → categories. Only `malware_download` exists today; others stay `other`. */
const THREATS: Record<string, Category> = { malware_download: 'malware-distribution' };

/** abuse.ch URLhaus CSV dumps (full or "online only"). See docs/feeds/urlhaus-csv.md. */
export const parser = lineParser('urlhaus-csv', (): LineUnit => {
  let columns = DEFAULT_COLUMNS;
  return {
    parseLine(line) {
      if (line.startsWith('#')) {
        // The column names sit on the last banner line, after `# `.
        const header = line.slice(1).trim();
        if (header.startsWith('id,')) columns = header.split(',').map((c) => c.trim());
        return null;
      }
      if (line.trim() === '') return null;
      const row = fieldsByName(columns, splitCsvLine(line));
      const url = requireUrl(row.url ?? '');
      if (row.id !== undefined && !/^\d+$/.test(row.id))
        throw new RejectLine(`id is not a number: ${row.id}`);
      const tags = !row.tags || row.tags === 'None' ? [] : row.tags.split(',').map((t) => t.trim());
      return {
        kind: 'url',
        value: url,
        category: THREATS[row.threat] ?? 'other',
        seenAt: parseTime(row.dateadded ?? '', 'dateadded'),
        attributes: {
          id: row.id,
          threat: row.threat,
          status: row.url_status,
          tags,
          ...(row.last_online ? { lastOnline: row.last_online } : {}),
          reference: row.urlhaus_link,
          reporter: row.reporter,
        },
      };
    },
  };
});
