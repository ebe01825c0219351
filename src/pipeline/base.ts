import type { FeedRecord, LineError, ParseItem, Parser } from './types.js';

/** A record as a unit produces it; the base fills in `line` (a unit may set it, e.g. for a multi-line RR). */
export type Draft = Omit<FeedRecord, 'line'> & { line?: number };

/** What a unit returns for one line: nothing (comment, header), one record, several, or a reject. */
export type UnitResult = Draft | LineError | Array<Draft | LineError> | null | undefined;

/**
 * One parse run of a line-based format. A fresh unit is made per `parse()` call, so a unit may keep
 * state (header columns, RPZ $ORIGIN, open parentheses) without leaking between inputs.
 * Throwing from `parseLine` rejects that line only; the loop goes on with the next.
 */
export interface LineUnit {
  parseLine(line: string, no: number): UnitResult;
  /** Called once after the last line: unterminated constructs, trailer checks. */
  end?(lastLine: number): UnitResult;
}

const MAX_TEXT = 200;

/** A reject with its text cut to ~200 characters (a line can be megabytes of garbage). */
export function lineError(line: number, reason: string, text: string): LineError {
  return { line, reason, text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text };
}

/** Thrown by units for a reason that is already a sentence; any other exception's message is used too. */
export class RejectLine extends Error {}

function reasonOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/**
 * Turns a unit's result into items. Drafts are fresh objects the unit just built, so the line number
 * is set in place rather than copied (a spread per record cost ~10% of parse time at 1M lines).
 */
function expand(result: UnitResult, no: number, out: ParseItem[]): void {
  if (result === null || result === undefined) return;
  if (Array.isArray(result)) {
    for (const item of result) push(item, no, out);
  } else push(result, no, out);
}

function push(item: Draft | LineError, no: number, out: ParseItem[]) {
  if (!('reason' in item) && item.line === undefined) item.line = no;
  out.push(item as ParseItem);
}

/**
 * The base every line-based parser uses (IntelMQ's "a unit implements only parseLine"): this owns
 * the loop, numbering and per-line isolation, so one malformed line never stops an import.
 */
export function lineParser(format: string, newUnit: () => LineUnit): Parser {
  return {
    format,
    async *parse(lines: AsyncIterable<string>): AsyncIterable<ParseItem> {
      const unit = newUnit();
      let no = 0;
      for await (const line of lines) {
        no++;
        let result: UnitResult;
        try {
          result = unit.parseLine(line, no);
        } catch (err) {
          yield lineError(no, reasonOf(err), line);
          continue;
        }
        if (result === null || result === undefined) continue;
        if (!Array.isArray(result)) {
          if (!('reason' in result) && result.line === undefined) result.line = no;
          yield result as ParseItem;
          continue;
        }
        const out: ParseItem[] = [];
        expand(result, no, out);
        yield* out;
      }
      if (unit.end) {
        let tail: UnitResult;
        try {
          tail = unit.end(no);
        } catch (err) {
          yield lineError(no, reasonOf(err), '');
          return;
        }
        const out: ParseItem[] = [];
        expand(tail, no, out);
        yield* out;
      }
    },
  };
}

/** One element of a whole-document format (STIX bundle): its 1-based index and what it gave. */
export type DocumentItem = { index: number; result: UnitResult };

/**
 * The base for formats that are one document, not lines (a STIX bundle is one JSON value). The text
 * is read whole, bounded by `maxChars`, then each element goes through `parseElement` with the same
 * isolation as lines: an exception rejects that element only; its index is reported as the line.
 */
export function documentParser(
  format: string,
  opts: {
    maxChars: number;
    /** Splits the document into elements; throwing rejects the whole document (as line 1). */
    split(text: string): unknown[];
    parseElement(element: unknown, index: number): UnitResult;
    describe(element: unknown): string;
  },
): Parser {
  return {
    format,
    async *parse(lines: AsyncIterable<string>): AsyncIterable<ParseItem> {
      const parts: string[] = [];
      let size = 0;
      for await (const line of lines) {
        size += line.length + 1;
        if (size > opts.maxChars) {
          yield lineError(1, `document larger than ${opts.maxChars} characters; split it`, '');
          return;
        }
        parts.push(line);
      }
      let elements: unknown[];
      try {
        elements = opts.split(parts.join('\n'));
      } catch (err) {
        yield lineError(1, reasonOf(err), parts[0] ?? '');
        return;
      }
      for (let i = 0; i < elements.length; i++) {
        const index = i + 1;
        let result: UnitResult;
        try {
          result = opts.parseElement(elements[i], index);
        } catch (err) {
          yield lineError(index, reasonOf(err), safeDescribe(opts.describe, elements[i]));
          continue;
        }
        const out: ParseItem[] = [];
        expand(result, index, out);
        yield* out;
      }
    },
  };
}

function safeDescribe(describe: (e: unknown) => string, e: unknown): string {
  try {
    return describe(e);
  } catch {
    return '';
  }
}

/** Drains a parse into records and rejects (small inputs only: tests, previews). */
export async function drain(
  items: AsyncIterable<ParseItem>,
): Promise<{ records: FeedRecord[]; errors: LineError[] }> {
  const records: FeedRecord[] = [];
  const errors: LineError[] = [];
  for await (const item of items) {
    if ('reason' in item) errors.push(item);
    else records.push(item);
  }
  return { records, errors };
}
