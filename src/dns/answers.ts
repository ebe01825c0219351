/**
 * Building DNS answers: policy answers (warn / NXDOMAIN / NODATA) with their RFC 8914 Extended DNS
 * Error, error answers (FORMERR, SERVFAIL, NOTIMP), and the EDNS bookkeeping.
 *
 * EDE INFO-CODE: 17 "Filtered" when a known subscriber's own consent (the contract's opt-out model
 * — the subscriber asked for this protection) is why the answer was filtered; 15 "Blocked" when the
 * operator's default for clients without a known subscriber applied.
 *
 * Structured form (draft-ietf-dnsop-structured-dns-error): a client signals support by sending an
 * empty EDE option (code 15, length 0) in its query; then EXTRA-TEXT is I-JSON with
 * c (contact URIs), j (justification), s (sub-error: 1 Malware, 2 Phishing), o (organisation),
 * l (language). Without the signal, EXTRA-TEXT is one plain English sentence.
 */
import type { Answer, Packet } from 'dns-packet';
import type { PolicyHit } from './policy-index.js';

/** The walled garden's "listing": every name, for one subscriber's lines (src/cases enters it). */
export interface WalledGardenHit extends Omit<PolicyHit, 'measure' | 'action'> {
  measure: 'walled-garden';
  action: 'warn';
}

/** What a policy answer enforces: a listing of the policy index, or the client's walled garden. */
export type DnsHit = PolicyHit | WalledGardenHit;

export const EDE_OPTION = 15;
export const EDE_BLOCKED = 15;
export const EDE_FILTERED = 17;
export const EDE_NETWORK_ERROR = 23;
export const EDE_NO_REACHABLE_AUTHORITY = 22;
export const SUB_ERROR_MALWARE = 1;
export const SUB_ERROR_PHISHING = 2;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
export function rcodeName(code: number): string {
  return RCODE_NAMES[code] ?? `RCODE${code}`;
}

const QR = 1 << 15;
const RD = 1 << 8;
const RA = 1 << 7;

/** What the client told us in its OPT record. */
export interface ClientEdns {
  present: boolean;
  udpSize: number;
  dnssecOk: boolean;
  /** Sent an empty EDE option: wants the structured (I-JSON) EXTRA-TEXT. */
  structured: boolean;
  version: number;
}

export function readEdns(query: Packet): ClientEdns {
  const opt = (query.additionals ?? []).find((a) => a.type === 'OPT') as
    | {
        udpPayloadSize?: number;
        flags?: number;
        ednsVersion?: number;
        options?: { code: number; data?: Buffer }[];
      }
    | undefined;
  if (!opt) return { present: false, udpSize: 512, dnssecOk: false, structured: false, version: 0 };
  return {
    present: true,
    udpSize: Math.max(512, Math.min(opt.udpPayloadSize ?? 512, 4096)),
    dnssecOk: ((opt.flags ?? 0) & (1 << 15)) !== 0,
    structured: (opt.options ?? []).some((o) => o.code === EDE_OPTION && (!o.data || o.data.length === 0)),
    version: opt.ednsVersion ?? 0,
  };
}

/** Our OPT record (only when the client sent one: RFC 6891 forbids OPT in answers to non-EDNS queries). */
export function optRecord(edns: ClientEdns, options: { code: number; data: Buffer }[] = []): Answer {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize: 1232,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: edns.dnssecOk ? 1 << 15 : 0,
    options,
  } as unknown as Answer;
}

export function edeOption(infoCode: number, text: string): { code: number; data: Buffer } {
  const t = Buffer.from(text, 'utf8');
  const data = Buffer.allocUnsafe(2 + t.length);
  data.writeUInt16BE(infoCode, 0);
  t.copy(data, 2);
  return { code: EDE_OPTION, data };
}

/** A response header for `query` with `rcode`; RD copied, RA set (we recurse via the upstreams). */
export function responseFlags(query: Packet, rcode: number, extra = 0): number {
  const qflags = (query as { flags?: number }).flags ?? 0;
  const opcode = qflags & (0xf << 11);
  return QR | opcode | (qflags & RD) | RA | extra | (rcode & 0xf);
}

export function errorResponse(
  query: Packet,
  rcode: number,
  edns: ClientEdns,
  ede?: { code: number; text: string },
): Packet {
  return {
    id: query.id,
    type: 'response',
    flags: responseFlags(query, rcode),
    questions: query.questions ?? [],
    answers: [],
    authorities: [],
    additionals: edns.present ? [optRecord(edns, ede ? [edeOption(ede.code, ede.text)] : [])] : [],
  } as Packet;
}

export interface PolicyAnswerConfig {
  warningV4: string;
  warningV6: string;
  warningUrl: string;
  ttl: number;
  contact: string;
  organisation: string;
  language: string;
}

/** Why, in one sentence (plain EXTRA-TEXT) and as the structured-error I-JSON. */
export function explain(hit: DnsHit, qname: string, cfg: PolicyAnswerConfig, structured: boolean): string {
  if (hit.measure === 'walled-garden') {
    const why = `this line is in a walled garden after notices of an infection went unanswered: web access leads to removal help. See ${cfg.warningUrl}`;
    return structured ? structuredText(why, SUB_ERROR_MALWARE, cfg) : `yojin: ${why}; measure walled-garden`;
  }
  const listed =
    hit.trigger === 'ip'
      ? `an answer address of ${qname} (${hit.name})`
      : hit.wildcard && hit.name !== qname
        ? `${qname} (under ${hit.name})`
        : qname;
  if (!structured) {
    const what =
      hit.measure === 'block-c2' ? 'a C&C server of malware' : `a dangerous site (${hit.category})`;
    return `yojin: ${listed} is listed as ${what}; measure ${hit.measure}; source: reputation list, indicator #${hit.indicatorId}; see ${cfg.warningUrl}`;
  }
  const j =
    hit.measure === 'block-c2'
      ? `${listed} is a malware command-and-control server (indicator #${hit.indicatorId}); blocked to protect your devices. See ${cfg.warningUrl}`
      : `${listed} is listed as ${hit.category} (indicator #${hit.indicatorId}). See ${cfg.warningUrl}`;
  return structuredText(j, hit.category === 'phishing' ? SUB_ERROR_PHISHING : SUB_ERROR_MALWARE, cfg);
}

/** The I-JSON EXTRA-TEXT of draft-ietf-dnsop-structured-dns-error. */
function structuredText(justification: string, subError: number, cfg: PolicyAnswerConfig): string {
  const body: Record<string, unknown> = { j: justification, s: subError, l: cfg.language };
  const contacts = cfg.contact ? cfg.contact.split(/[\s,]+/).filter(Boolean) : [];
  if (contacts.length) body.c = contacts;
  if (cfg.organisation) body.o = cfg.organisation;
  return JSON.stringify(body);
}

/** The policy answer for `action` (warn / nxdomain / nodata); `drop` and `passthru` never get here. */
export function policyResponse(
  query: Packet,
  qname: string,
  qtype: string,
  hit: DnsHit,
  action: 'warn' | 'nxdomain' | 'nodata',
  edns: ClientEdns,
  knownSubscriber: boolean,
  cfg: PolicyAnswerConfig,
): Packet {
  const question = query.questions?.[0];
  const answers: Answer[] = [];
  let rcode: number = RCODE.NOERROR;
  if (action === 'nxdomain') rcode = RCODE.NXDOMAIN;
  else if (action === 'warn' && question) {
    if (qtype === 'A')
      answers.push({
        type: 'A',
        name: question.name,
        ttl: cfg.ttl,
        class: 'IN',
        data: cfg.warningV4,
      } as Answer);
    else if (qtype === 'AAAA')
      answers.push({
        type: 'AAAA',
        name: question.name,
        ttl: cfg.ttl,
        class: 'IN',
        data: cfg.warningV6,
      } as Answer);
    // any other type: NODATA, the name "exists" only as the warning page
  }
  const text = explain(hit, qname, cfg, edns.structured);
  return {
    id: query.id,
    type: 'response',
    flags: responseFlags(query, rcode),
    questions: query.questions ?? [],
    answers,
    authorities: [],
    additionals: edns.present
      ? [optRecord(edns, [edeOption(knownSubscriber ? EDE_FILTERED : EDE_BLOCKED, text)])]
      : [],
  } as Packet;
}
