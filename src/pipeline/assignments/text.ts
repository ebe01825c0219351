import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

/** Where import input comes from: a file path, an in-memory text (API uploads) or a stream. */
export type ImportInput = { path: string } | { text: string } | { stream: NodeJS.ReadableStream };

/** One line of input with its 1-based number, so every error can name the line. */
export interface NumberedLine {
  no: number;
  text: string;
}

/**
 * Streams the lines of an input (CRLF tolerated). A tiny local reader rather than the pipeline's
 * shared one so this folder does not depend on a module still being built in parallel.
 */
export async function* readLines(input: ImportInput): AsyncGenerator<NumberedLine> {
  const stream =
    'path' in input
      ? createReadStream(input.path, { encoding: 'utf8' })
      : 'text' in input
        ? Readable.from([input.text])
        : input.stream;
  const rl = createInterface({ input: stream as NodeJS.ReadableStream, crlfDelay: Infinity });
  let no = 0;
  for await (const raw of rl) {
    no++;
    const text = no === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    yield { no, text };
  }
}

/** Reads the whole input as text (formats that are one JSON document). */
export async function readAll(input: ImportInput): Promise<string> {
  const parts: string[] = [];
  for await (const l of readLines(input)) parts.push(l.text);
  return parts.join('\n');
}

/**
 * Splits one CSV line (RFC 4180 quoting, no embedded newlines — none of the supported formats
 * emits them). Returns null when a quote is left open, which callers report as a malformed line.
 */
export function splitCsv(line: string, sep = ','): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
      if (i >= line.length) return out;
      if (line[i] !== sep) return null;
      i++;
    } else {
      const c = line.indexOf(sep, i);
      if (c < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

/**
 * A CSV file with a header row, as records keyed by lower-cased header name. Blank lines and lines
 * starting with '#' are skipped; a line whose field count differs from the header is an error.
 */
export async function* csvRecords(
  input: ImportInput,
): AsyncGenerator<
  { no: number; rec: Record<string, string>; header: string[] } | { no: number; error: string }
> {
  let header: string[] | undefined;
  for await (const { no, text } of readLines(input)) {
    if (text.trim() === '' || text.startsWith('#')) continue;
    const fields = splitCsv(text);
    if (!fields) {
      yield { no, error: 'unbalanced quotes' };
      continue;
    }
    if (!header) {
      header = fields.map((f) => f.trim().toLowerCase());
      continue;
    }
    if (fields.length !== header.length) {
      yield { no, error: `expected ${header.length} fields (as in the header), found ${fields.length}` };
      continue;
    }
    const rec: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) rec[header[i]] = fields[i].trim();
    yield { no, rec, header };
  }
}

/** Parses a time: ISO 8601, "YYYY-MM-DD hh:mm:ss" (UTC, as Shadowserver writes) or epoch seconds. */
export function parseTime(s: string): Date | null {
  const t = s.trim();
  if (t === '') return null;
  if (/^\d{9,11}(\.\d+)?$/.test(t)) return new Date(Number(t) * 1000);
  let iso = t;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)(.*)$/.exec(t);
  if (m) {
    const zone = m[5].trim();
    iso = `${m[1]}T${m[2]}${zone === '' || zone === 'UTC' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`;
  } else if (!/^\d{4}-\d{2}-\d{2}$/.test(t)) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}
