import { type LineUnit, lineParser, RejectLine } from '../../base.js';
import { fieldsByName, parseTime, requireIp, splitCsvLine } from '../../fields.js';
import { checkEndTrailer } from '../../trailer.js';

const DEFAULT_COLUMNS = ['first_seen_utc', 'dst_ip', 'dst_port', 'c2_status', 'last_online', 'malware'];

/** Feodo Tracker botnet C2 IP blocklist, CSV. See docs/feeds/feodo-csv.md. */
export const parser = lineParser('feodo-csv', (): LineUnit => {
  let columns = DEFAULT_COLUMNS;
  let dataLines = 0;
  return {
    parseLine(line, no) {
      if (line.startsWith('#')) return checkEndTrailer(line, no, dataLines);
      if (line.trim() === '') return null;
      const values = splitCsvLine(line);
      // The column header is NOT `#`-prefixed in this feed (unlike URLhaus).
      if (values[0] === 'first_seen_utc') {
        columns = values.map((c) => c.trim());
        return null;
      }
      dataLines++;
      const row = fieldsByName(columns, values);
      const ip = requireIp(row.dst_ip ?? '', 'dst_ip');
      if (row.dst_port && !/^\d{1,5}$/.test(row.dst_port))
        throw new RejectLine(`dst_port is not a port number: ${row.dst_port}`);
      return {
        kind: 'ip',
        value: ip,
        category: 'c2',
        seenAt: parseTime(row.first_seen_utc ?? '', 'first_seen_utc'),
        attributes: {
          ...(row.malware ? { family: row.malware } : {}),
          ...(row.dst_port ? { port: Number(row.dst_port) } : {}),
          ...(row.c2_status ? { status: row.c2_status } : {}),
          ...(row.last_online ? { lastOnline: row.last_online } : {}),
        },
      };
    },
  };
});
