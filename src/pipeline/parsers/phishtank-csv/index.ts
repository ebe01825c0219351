import { type LineUnit, lineParser, RejectLine } from '../../base.js';
import { fieldsByName, parseTime, requireUrl, splitCsvLine } from '../../fields.js';

const DEFAULT_COLUMNS = [
  'phish_id',
  'url',
  'phish_detail_url',
  'submission_time',
  'verified',
  'verification_time',
  'online',
  'target',
];

/**
 * PhishTank writes `&` in URLs as `&amp;` (an HTML-escaping artefact of its export, not part of the
 * URL the phisher published). Undoing that is decoding the feed, not canonicalising, so it is done
 * here; the raw text is kept in `attributes.rawUrl` when it differs.
 */
function unescapeAmp(url: string): string {
  return url.includes('&amp;') ? url.replaceAll('&amp;', '&') : url;
}

/** PhishTank online-valid.csv. See docs/feeds/phishtank-csv.md. */
export const parser = lineParser('phishtank-csv', (): LineUnit => {
  let columns = DEFAULT_COLUMNS;
  return {
    parseLine(line) {
      if (line.trim() === '') return null;
      if (line.startsWith('phish_id,')) {
        columns = line.split(',').map((c) => c.trim());
        return null;
      }
      const row = fieldsByName(columns, splitCsvLine(line));
      if (!/^\d+$/.test(row.phish_id ?? ''))
        throw new RejectLine(`phish_id is not a number: ${row.phish_id}`);
      const raw = requireUrl(row.url ?? '');
      const url = unescapeAmp(raw);
      return {
        kind: 'url',
        value: url,
        category: 'phishing',
        seenAt: parseTime(row.submission_time ?? '', 'submission_time'),
        attributes: {
          id: row.phish_id,
          reference: row.phish_detail_url,
          verified: row.verified === 'yes',
          ...(row.verification_time ? { verifiedAt: row.verification_time } : {}),
          status: row.online === 'yes' ? 'online' : 'offline',
          ...(row.target ? { target: row.target } : {}),
          ...(url !== raw ? { rawUrl: raw } : {}),
        },
      };
    },
  };
});
