import { RejectLine } from '../../base.js';
import type { IndicatorKind } from '../../types.js';

/** Object paths this parser turns into indicators. */
const PATHS: Record<string, IndicatorKind> = {
  'url:value': 'url',
  'domain-name:value': 'domain',
  'ipv4-addr:value': 'ip',
  'ipv6-addr:value': 'ip',
};

type Token = { t: '[' | ']' | '(' | ')' | 'op' | 'str' | 'word'; v: string };

function tokenize(pattern: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i];
    if (/\s/.test(c)) {
      i++;
    } else if ('[]()'.includes(c)) {
      out.push({ t: c as '[', v: c });
      i++;
    } else if (c === "'") {
      let s = '';
      let j = i + 1;
      for (;;) {
        if (j >= n) throw new RejectLine('pattern has an unterminated string');
        if (pattern[j] === '\\' && j + 1 < n) {
          s += pattern[j + 1];
          j += 2;
        } else if (pattern[j] === "'") {
          break;
        } else {
          s += pattern[j++];
        }
      }
      out.push({ t: 'str', v: s });
      i = j + 1;
    } else if ('=!<>'.includes(c)) {
      const two = pattern.slice(i, i + 2);
      const op = ['!=', '<=', '>='].includes(two) ? two : c;
      out.push({ t: 'op', v: op });
      i += op.length;
    } else {
      const m = /^[A-Za-z0-9_:.\-*]+/.exec(pattern.slice(i));
      if (!m) throw new RejectLine(`pattern has an unexpected character ${JSON.stringify(c)}`);
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

export interface PatternValue {
  kind: IndicatorKind;
  value: string;
  path: string;
}

/**
 * The values of a STIX 2.1 pattern made only of `path = 'value'` comparisons on the four observable
 * paths above, joined by OR (inside one observation or between observations). Anything else (AND,
 * FOLLOWEDBY, qualifiers, other operators or objects) can't be reduced to a list of independent
 * indicators and is rejected with the reason, never silently dropped.
 */
export function patternValues(pattern: string): PatternValue[] {
  const toks = tokenize(pattern);
  let i = 0;
  const out: PatternValue[] = [];
  const peek = () => toks[i];
  const unsupported = (what: string) => new RejectLine(`unsupported pattern: ${what}`);
  const expect = (t: Token['t']) => {
    const tok = toks[i++];
    if (!tok || tok.t !== t) throw unsupported(`expected ${t} at ${tok ? tok.v : 'end'}`);
    return tok;
  };
  const keyword = (tok: Token | undefined) => (tok?.t === 'word' ? tok.v.toUpperCase() : undefined);

  function comparison() {
    const path = expect('word').v;
    const kind = PATHS[path];
    if (!kind) throw unsupported(`object path ${path} (only ${Object.keys(PATHS).join(', ')})`);
    const op = toks[i++];
    if (!op) throw unsupported('comparison without operator');
    if (op.t === 'word') throw unsupported(`operator ${op.v.toUpperCase()}`);
    if (op.t !== 'op' || op.v !== '=') throw unsupported(`operator ${op.v}`);
    const value = expect('str').v;
    if (value === '') throw new RejectLine(`empty value for ${path}`);
    // STIX 2.1 allows CIDR notation in ipv4-addr / ipv6-addr values (e.g. the OASIS APT1 report)
    out.push({ kind: kind === 'ip' && value.includes('/') ? 'cidr' : kind, value, path });
  }

  function comparisons() {
    if (peek()?.t === '(') {
      i++;
      comparisons();
      expect(')');
    } else comparison();
    for (;;) {
      const k = keyword(peek());
      if (k === 'OR') {
        i++;
        if (peek()?.t === '(') {
          i++;
          comparisons();
          expect(')');
        } else comparison();
      } else if (k === 'AND') throw unsupported('AND (all of several conditions)');
      else return;
    }
  }

  function observation() {
    const tok = peek();
    if (tok?.t === '(') {
      i++;
      observations();
      expect(')');
    } else {
      expect('[');
      comparisons();
      expect(']');
    }
    const k = keyword(peek());
    if (k === 'WITHIN' || k === 'REPEATS' || k === 'START') throw unsupported(`qualifier ${k}`);
  }

  function observations() {
    observation();
    for (;;) {
      const k = keyword(peek());
      if (k === 'OR') {
        i++;
        observation();
      } else if (k === 'AND' || k === 'FOLLOWEDBY') throw unsupported(`${k} between observations`);
      else if (peek() === undefined || peek().t === ')') return;
      else throw unsupported(`unexpected ${peek().v}`);
    }
  }

  observations();
  if (i !== toks.length) throw unsupported(`trailing ${toks[i].v}`);
  return out;
}
