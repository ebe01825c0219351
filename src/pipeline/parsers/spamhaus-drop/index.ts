import { lineParser, RejectLine } from '../../base.js';
import { requireCidr } from '../../fields.js';

/** Spamhaus DROP/EDROP legacy text: `CIDR ; SBLnnnn`, `;` comments. See docs/feeds/spamhaus-drop.md. */
export const parser = lineParser('spamhaus-drop', () => ({
  parseLine(line) {
    const text = line.trim();
    if (text === '' || text.startsWith(';')) return null;
    const semi = text.indexOf(';');
    const cidr = (semi < 0 ? text : text.slice(0, semi)).trim();
    const sblid = semi < 0 ? '' : text.slice(semi + 1).trim();
    if (sblid !== '' && !/^SBL\d+$/.test(sblid)) throw new RejectLine(`not an SBL id: ${sblid}`);
    return {
      kind: 'cidr',
      value: requireCidr(cidr),
      category: 'hijacked-netblock',
      attributes: sblid ? { sblid } : {},
    };
  },
}));
