import { type LineUnit, lineError, lineParser, RejectLine } from '../../base.js';
import { requireCidr } from '../../fields.js';

/**
 * Spamhaus DROP JSON (`drop_v4.json`, `drop_v6.json`): NDJSON, one `{cidr, sblid, rir}` per line and
 * a final `{"type":"metadata", …, "records": n}` line. The record count is checked against the lines
 * read so a truncated download is reported. See docs/feeds/spamhaus-drop-json.md.
 */
export const parser = lineParser('spamhaus-drop-json', (): LineUnit => {
  let dataLines = 0;
  let sawMetadata = false;
  return {
    parseLine(line, no) {
      const text = line.trim();
      if (text === '') return null;
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(text);
      } catch {
        dataLines++;
        throw new RejectLine('not a JSON object');
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        dataLines++;
        throw new RejectLine('not a JSON object');
      }
      if (obj.type === 'metadata') {
        sawMetadata = true;
        if (typeof obj.records === 'number' && obj.records !== dataLines)
          return lineError(no, `metadata says ${obj.records} records but ${dataLines} were read`, line);
        return null;
      }
      dataLines++;
      if (obj.asn !== undefined)
        throw new RejectLine('ASN-DROP records (asn_drop.json) are not supported by this format');
      if (typeof obj.cidr !== 'string') throw new RejectLine('record has no "cidr" string');
      if (obj.sblid !== undefined && (typeof obj.sblid !== 'string' || !/^SBL\d+$/.test(obj.sblid)))
        throw new RejectLine(`not an SBL id: ${String(obj.sblid)}`);
      return {
        kind: 'cidr',
        value: requireCidr(obj.cidr),
        category: 'hijacked-netblock',
        attributes: {
          ...(obj.sblid ? { sblid: obj.sblid } : {}),
          ...(typeof obj.rir === 'string' ? { rir: obj.rir } : {}),
        },
      };
    },
    end(last) {
      if (!sawMetadata && dataLines > 0)
        return lineError(last, 'no trailing metadata record: the download may be truncated', '');
      return null;
    },
  };
});
