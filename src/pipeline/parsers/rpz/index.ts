import { type Draft, type LineUnit, lineError, lineParser, RejectLine } from '../../base.js';
import { categoryFromWords, requireDomain } from '../../fields.js';
import type { PolicyHint } from '../../types.js';
import { ipTrigger } from './triggers.js';
import { isTtl, lexLine, splitRr } from './zone.js';

/** CNAME targets that are RPZ actions rather than local data. */
const CNAME_ACTIONS: Record<string, PolicyHint> = {
  '.': 'nxdomain',
  '*.': 'nodata',
  'rpz-passthru.': 'passthru',
  'rpz-drop.': 'drop',
  'rpz-tcp-only.': 'tcp-only',
};

/** Trigger kinds other than QNAME and rpz-ip: about name servers or clients, not the listed site. */
const UNSUPPORTED_TRIGGERS = ['rpz-nsdname', 'rpz-nsip', 'rpz-client-ip'];

const lower = (s: string) => s.toLowerCase();

/**
 * A Response Policy Zone in master-file syntax. The apex is the first `$ORIGIN`, else the SOA owner if
 * written absolute; without either (the common case: the name server supplies the zone name) relative
 * owners are the triggers themselves. See docs/feeds/rpz.md.
 */
export const parser = lineParser('rpz', (): LineUnit => {
  let origin: string | undefined; // current $ORIGIN, absolute, lower-case, with trailing dot
  let apex: string | undefined; // the zone's own name, once known
  let owner: string | undefined; // last owner written, absolute or (no origin known) relative
  let sawRecord = false;
  // A record spread over lines by parentheses: the tokens so far and where it started.
  let open: { tokens: string[]; comments: string[]; no: number; inherits: boolean; text: string } | undefined;
  let depth = 0;

  function absolute(name: string): string {
    if (name === '@') return origin ?? '@';
    if (name.endsWith('.')) return lower(name);
    return origin ? `${lower(name)}.${origin}` : lower(name);
  }

  /** The owner relative to the apex; '' for the apex itself. */
  function relative(name: string): string {
    if (name === '@') return '';
    if (!name.endsWith('.')) return name; // no origin known: already relative
    if (apex) {
      if (name === apex) return '';
      if (name.endsWith(`.${apex}`)) return name.slice(0, -(apex.length + 1));
      throw new RejectLine(`owner ${name} is outside the zone ${apex}`);
    }
    return name.slice(0, -1);
  }

  function directive(tokens: string[]): null {
    const d = tokens[0].toUpperCase();
    if (d === '$ORIGIN') {
      if (tokens.length !== 2) throw new RejectLine('$ORIGIN takes one name');
      const name = tokens[1].endsWith('.') ? lower(tokens[1]) : `${lower(tokens[1])}.${origin ?? ''}`;
      origin = name === '.' ? undefined : name;
      if (!sawRecord && apex === undefined) apex = origin;
      return null;
    }
    if (d === '$TTL') {
      if (tokens.length !== 2 || !isTtl(tokens[1])) throw new RejectLine('$TTL takes one TTL value');
      return null;
    }
    if (d === '$INCLUDE') throw new RejectLine('$INCLUDE is not supported: concatenate the files');
    throw new RejectLine(`unknown directive ${tokens[0]}`);
  }

  function record(tokens: string[], inherits: boolean, comments: string[]): Draft[] | null {
    let fields = tokens;
    if (!inherits) {
      owner = absolute(tokens[0]);
      fields = tokens.slice(1);
    } else if (owner === undefined) {
      throw new RejectLine('record without an owner name before it');
    }
    const { type, rdata } = splitRr(fields);
    const name = owner as string;
    if (type === 'SOA' && !sawRecord && apex === undefined && name.endsWith('.')) apex = name;
    sawRecord = true;
    const rel = relative(name);
    if (rel === '') return null; // apex data (SOA, NS, …) is the zone's, not a rule
    if (rdata.length === 0) throw new RejectLine(`${type} record has no data`);

    let policy: PolicyHint = 'local-data';
    if (type === 'CNAME') policy = CNAME_ACTIONS[lower(rdata[0])] ?? 'local-data';
    const attributes: Record<string, unknown> = { trigger: rel };
    if (policy === 'local-data') attributes.rdata = `${type} ${rdata.join(' ')}`;
    const comment = comments.join(' ').trim();
    if (comment) attributes.comment = comment;
    const category = categoryFromWords(comment ? [comment] : []);

    const labels = lower(rel).split('.');
    const last = labels[labels.length - 1];
    if (last === 'rpz-ip') {
      const { kind, value } = ipTrigger(labels.slice(0, -1));
      return [{ kind, value, category, policy, attributes }];
    }
    if (UNSUPPORTED_TRIGGERS.includes(last))
      throw new RejectLine(`${last} triggers are not supported (only QNAME and rpz-ip)`);
    const wildcard = rel.startsWith('*.');
    const value = requireDomain(wildcard ? rel.slice(2) : rel, 'trigger');
    return [{ kind: 'domain', value, category, policy, ...(wildcard ? { wildcard } : {}), attributes }];
  }

  return {
    parseLine(line, no) {
      let lexed: ReturnType<typeof lexLine>;
      try {
        lexed = lexLine(line);
      } catch (err) {
        open = undefined;
        depth = 0;
        throw err;
      }
      if (open) {
        open.tokens.push(...lexed.tokens);
        if (lexed.comment) open.comments.push(lexed.comment);
        depth += lexed.depthDelta;
        if (depth > 0) return null;
        const rec = open;
        open = undefined;
        depth = 0;
        try {
          return record(rec.tokens, rec.inherits, rec.comments)?.map((d) => ({ ...d, line: rec.no }));
        } catch (err) {
          return lineError(rec.no, (err as Error).message, rec.text);
        }
      }
      if (lexed.tokens.length === 0 && lexed.depthDelta === 0) return null;
      if (lexed.depthDelta < 0) throw new RejectLine('")" without "("');
      if (lexed.depthDelta > 0) {
        open = {
          tokens: lexed.tokens,
          comments: lexed.comment ? [lexed.comment] : [],
          no,
          inherits: lexed.inheritsOwner,
          text: line,
        };
        depth = lexed.depthDelta;
        return null;
      }
      if (!lexed.inheritsOwner && lexed.tokens[0].startsWith('$')) return directive(lexed.tokens);
      return record(lexed.tokens, lexed.inheritsOwner, lexed.comment ? [lexed.comment] : []);
    },
    end() {
      if (open) return lineError(open.no, 'unclosed "(": the record never ends', open.text);
      return null;
    },
  };
});
