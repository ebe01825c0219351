import { normalizeAddr } from '../assignments/addr.js';
import { csvRecords, type ImportInput, parseTime, readAll, readLines } from '../assignments/text.js';
import type { EvidenceEvent, EvidenceRow } from './types.js';

/** Validates one generic record {address, port?, time, kind?, family?, source?}. */
function toRow(rec: Record<string, unknown>, defaultSource: string): EvidenceRow | string {
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());
  const addr = normalizeAddr(str(rec.address ?? rec.addr ?? rec.ip));
  const at = parseTime(str(rec.time ?? rec.timestamp ?? rec.seen_at));
  const p = str(rec.port);
  const port = p === '' ? null : /^\d{1,5}$/.test(p) && Number(p) <= 65535 ? Number(p) : undefined;
  if (!addr) return `address is missing or not an IP address ("${str(rec.address ?? rec.addr ?? rec.ip)}")`;
  if (!at) return `time is missing or not ISO 8601 / epoch seconds ("${str(rec.time ?? rec.timestamp)}")`;
  if (port === undefined) return `port is not a number 0–65535 ("${p}")`;
  return {
    addr,
    port,
    seenAt: at,
    kind: str(rec.kind) || 'report',
    family: str(rec.family).toLowerCase() || null,
    source: str(rec.source) || defaultSource,
    raw: rec,
  };
}

/** Generic CSV: header `address,port,time,kind,family,source` (port, kind, family, source optional). */
export async function* parseEvidenceCsv(input: ImportInput, source: string): AsyncGenerator<EvidenceEvent> {
  for await (const r of csvRecords(input)) {
    if ('error' in r) {
      yield { type: 'error', line: r.no, message: r.error };
      continue;
    }
    const row = toRow(r.rec, source);
    yield typeof row === 'string'
      ? { type: 'error', line: r.no, message: row }
      : { type: 'row', line: r.no, row };
  }
}

/**
 * Generic JSON: NDJSON (one object per line, streamed) or one JSON array of objects (read whole;
 * an item's line is where it starts when the array is pretty-printed one object per line).
 */
export async function* parseEvidenceJson(input: ImportInput, source: string): AsyncGenerator<EvidenceEvent> {
  const lines = readLines(input);
  const first = await lines.next();
  if (first.done) return;
  if (first.value.text.trimStart().startsWith('[')) {
    const rest: string[] = [first.value.text];
    for await (const l of lines) rest.push(l.text);
    yield* jsonArray(rest.join('\n'), source);
    return;
  }
  const one = (no: number, text: string): EvidenceEvent | undefined => {
    if (text.trim() === '') return undefined;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      return { type: 'error', line: no, message: `not JSON: ${(e as Error).message}` };
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj))
      return { type: 'error', line: no, message: 'not a JSON object' };
    const row = toRow(obj as Record<string, unknown>, source);
    return typeof row === 'string'
      ? { type: 'error', line: no, message: row }
      : { type: 'row', line: no, row };
  };
  const e = one(first.value.no, first.value.text);
  if (e) yield e;
  for await (const l of lines) {
    const ev = one(l.no, l.text);
    if (ev) yield ev;
  }
}

function* jsonArray(text: string, source: string): Generator<EvidenceEvent> {
  let arr: unknown;
  try {
    arr = JSON.parse(text);
  } catch (e) {
    yield { type: 'error', line: 1, message: `not a JSON array: ${(e as Error).message}` };
    return;
  }
  if (!Array.isArray(arr)) {
    yield { type: 'error', line: 1, message: 'expected a JSON array of objects' };
    return;
  }
  const starts = objectStartLines(text);
  for (let i = 0; i < arr.length; i++) {
    const line = starts[i] ?? 1;
    const item = arr[i];
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      yield { type: 'error', line, message: `item ${i + 1} is not an object` };
      continue;
    }
    const row = toRow(item as Record<string, unknown>, source);
    yield typeof row === 'string'
      ? { type: 'error', line, message: `item ${i + 1}: ${row}` }
      : { type: 'row', line, row };
  }
}

/** Line numbers where each top-level element of a JSON array starts (a small scanner over the text). */
export function objectStartLines(text: string): number[] {
  const out: number[] = [];
  let line = 1;
  let depth = 0;
  let inStr = false;
  let expectItem = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (depth === 1 && expectItem && !/[\s,]/.test(c) && c !== ']') {
      out.push(line);
      expectItem = false;
    }
    if (c === '"') inStr = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectItem = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectItem = true;
  }
  return out;
}

export { readAll };
