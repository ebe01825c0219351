// Hand-rolled, not a CSV library: this is the hot path of every bulk load (imports COPY tens of
// thousands of rows per batch). Quoting only the fields that need it, one join per row and one per
// chunk: 5.9–6.6 → 5.0–5.2 µs per 12-column import row (jsonb column included; most of the rest is
// JSON.stringify and doubling its quotes), measured with process CPU on the 2-core dev box; see
// docs/reputation.md "Performance notes".

import type { CopyRows, CsvChunk } from './types.js';

/**
 * A field must be quoted when it holds the delimiter, a quote or a line break; a backslash is
 * included so that a lone `\.` (COPY's end-of-data marker) can never appear unquoted.
 */
const NEEDS_QUOTES = /[",\r\n\\]/;
const QUOTES = /"/g;

function quoted(s: string): string {
  return s.includes('"') ? `"${s.replace(QUOTES, '""')}"` : `"${s}"`;
}

/** CSV encoding for COPY … FROM (FORMAT csv): NULL is an unquoted empty field, '' a quoted one. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  else if (v instanceof Date) return v.toISOString();
  else if (typeof v === 'object') return quoted(String(JSON.stringify(v)));
  else s = String(v);
  if (s.length === 0) return '""';
  return NEEDS_QUOTES.test(s) ? quoted(s) : s;
}

export function csvRow(row: unknown[]): string {
  // join, not +=: a row built by concatenation is a rope, and joining ropes into a chunk costs more.
  const out = new Array<string>(row.length);
  for (let i = 0; i < row.length; i++) out[i] = csvField(row[i]);
  return `${out.join(',')}\n`;
}

export function copySql(table: string, columns: string[], source: string): string {
  const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const tableSql = table.split('.').map(ident).join('.');
  return `COPY ${tableSql} (${columns.map(ident).join(', ')}) FROM ${source} WITH (FORMAT csv)`;
}

/** The CSV chunks copyFrom sends: those given already encoded, or `rows` grouped by csvChunks. */
export function copyChunks(rows: CopyRows, bytes?: number): AsyncIterable<CsvChunk> {
  return 'encoded' in rows ? rows.encoded : csvChunks(rows, bytes);
}

/** Groups an (async) iterable of rows into CSV text chunks of about `bytes` each. */
export async function* csvChunks(
  rows: AsyncIterable<unknown[]> | Iterable<unknown[]>,
  bytes = 1 << 20,
): AsyncGenerator<CsvChunk> {
  // Rows are collected and joined once per chunk: appending every row to one growing string was
  // 2–3× slower for 1 MB chunks (V8 keeps re-flattening the deep rope).
  let parts: string[] = [];
  let size = 0;
  const full = (line: string) => {
    parts.push(line);
    size += line.length;
    return size >= bytes;
  };
  const take = () => {
    const chunk = { text: parts.join(''), count: parts.length };
    parts = [];
    size = 0;
    return chunk;
  };
  // A synchronous source (an array, a generator) is walked without an await per row.
  if (Symbol.iterator in rows) {
    for (const row of rows as Iterable<unknown[]>) if (full(csvRow(row))) yield take();
  } else {
    for await (const row of rows) if (full(csvRow(row))) yield take();
  }
  if (parts.length > 0) yield { text: parts.join(''), count: parts.length };
}
