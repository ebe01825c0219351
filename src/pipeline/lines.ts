import { createReadStream } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Lines of a feed, streamed: a path or a readable stream, gzip-compressed or not (decided by the
 * magic bytes, not the file name: mirrors serve `.gz` without saying so and vice versa). A UTF-8 BOM
 * is dropped, CRLF and LF both end a line, a missing final newline still yields the last line.
 * Memory holds one chunk and one partial line, whatever the size of the input.
 */
export async function* readLines(
  source: NodeJS.ReadableStream | AsyncIterable<Buffer | string> | string,
): AsyncIterable<string> {
  const input = typeof source === 'string' ? createReadStream(source, { highWaterMark: 256 * 1024 }) : source;
  yield* splitLines(decompressIfGzip(input));
}

async function* decompressIfGzip(
  input: NodeJS.ReadableStream | AsyncIterable<Buffer | string>,
): AsyncIterable<Buffer> {
  const it = (input as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && toBuffer(first.value).length === 0) first = await it.next();
  if (first.done) return;
  let head = toBuffer(first.value);
  // The two magic bytes may straddle chunks only when the first chunk is one byte long.
  if (head.length === 1) {
    const second = await it.next();
    if (!second.done) head = Buffer.concat([head, toBuffer(second.value)]);
  }
  const rest: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const r = await it.next();
        return r.done ? r : { done: false, value: toBuffer(r.value) };
      },
      return: async () => {
        await it.return?.();
        return { done: true, value: undefined };
      },
    }),
  };
  async function* all() {
    yield head;
    yield* rest;
  }
  if (head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1) {
    // pipeline() destroys both ends on error or early exit, so a consumer that stops reading leaks nothing.
    const gunzip = pipeline(Readable.from(all()), createGunzip(), () => {});
    for await (const chunk of gunzip) yield chunk as Buffer;
    return;
  }
  yield* all();
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

async function* splitLines(chunks: AsyncIterable<Buffer>): AsyncIterable<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let first = true;
  for await (const chunk of chunks) {
    let text = pending + decoder.write(chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield text.slice(start, end);
      start = nl + 1;
    }
    pending = text.slice(start);
  }
  let last = pending + decoder.end();
  if (first && last.charCodeAt(0) === 0xfeff) last = last.slice(1);
  if (last.endsWith('\r')) last = last.slice(0, -1);
  if (last.length > 0) yield last;
}

/** Lines of an in-memory text (tests, API uploads already in memory). */
export async function* linesOf(text: string): AsyncIterable<string> {
  yield* splitLines(
    (async function* () {
      yield Buffer.from(text, 'utf8');
    })(),
  );
}
