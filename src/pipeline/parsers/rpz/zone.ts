import { RejectLine } from '../../base.js';

/** One physical line of a master file, split into tokens (quotes kept together, parentheses counted). */
export interface LexedLine {
  tokens: string[];
  /** Text after `;` (outside quotes), if any. */
  comment: string;
  /** Change of parenthesis depth on this line. */
  depthDelta: number;
  /** The line starts with blank space: the owner is the previous record's. */
  inheritsOwner: boolean;
}

/** RFC 1035 §5.1 lexing of one line: `;` comments, `"…"` strings, `(`/`)` grouping across lines. */
export function lexLine(line: string): LexedLine {
  const tokens: string[] = [];
  let comment = '';
  let depthDelta = 0;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === ';') {
      comment = line.slice(i + 1).trim();
      break;
    } else if (c === '(') {
      depthDelta++;
      i++;
    } else if (c === ')') {
      depthDelta--;
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < n && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < n) j++;
        s += line[j];
        j++;
      }
      if (j >= n) throw new RejectLine('unterminated quoted string');
      tokens.push(`"${s}"`);
      i = j + 1;
    } else {
      let j = i;
      while (j < n && !' \t;()"'.includes(line[j])) {
        if (line[j] === '\\' && j + 1 < n) j++;
        j++;
      }
      tokens.push(line.slice(i, j));
      i = j;
    }
  }
  return { tokens, comment, depthDelta, inheritsOwner: n > 0 && (line[0] === ' ' || line[0] === '\t') };
}

const TTL = /^(\d+[smhdw]?)+$/i;
const CLASSES = new Set(['IN', 'CH', 'HS', 'CS']);

/** Splits `[ttl] [class] type rdata…` (either order of ttl and class). */
export function splitRr(fields: string[]): { ttl?: string; type: string; rdata: string[] } {
  let i = 0;
  let ttl: string | undefined;
  for (let k = 0; k < 2 && i < fields.length; k++) {
    if (ttl === undefined && TTL.test(fields[i])) ttl = fields[i++];
    else if (CLASSES.has(fields[i].toUpperCase())) i++;
  }
  if (i >= fields.length) throw new RejectLine('record has no type');
  const type = fields[i].toUpperCase();
  if (!/^[A-Z][A-Z0-9-]*$/.test(type)) throw new RejectLine(`not a record type: ${fields[i]}`);
  return { ttl, type, rdata: fields.slice(i + 1) };
}

export function isTtl(s: string): boolean {
  return TTL.test(s);
}
