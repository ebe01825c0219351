import { createReadStream, statSync } from 'node:fs';
import { YojinError } from '../../errors/index.js';
import { readLines } from '../lines.js';
import { getParser } from '../parsers/index.js';
import type { ParseItem } from '../types.js';

export interface FileCollection {
  /** The parsed items, streamed: nothing is read until iterated. */
  items: AsyncIterable<ParseItem>;
  /** Bytes read from the file so far (compressed bytes for gzip): drives progress bars. */
  bytesRead(): number;
  /** Size of the file, when it is a regular file (undefined for stdin and pipes). */
  totalBytes?: number;
}

/**
 * The file collector: a path (or `-` for stdin) through the format's parser, streaming, so memory
 * stays flat whatever the size of the file. Fails early, before parsing, if the file cannot be opened.
 */
export function collectFile(
  path: string,
  format: string,
  opts: { stdin?: NodeJS.ReadableStream } = {},
): FileCollection {
  const parser = getParser(format);
  let counted = 0;
  let totalBytes: number | undefined;
  let input: NodeJS.ReadableStream;
  if (path === '-') {
    input = opts.stdin ?? process.stdin;
  } else {
    try {
      const st = statSync(path);
      if (st.isDirectory()) throw new Error('is a directory');
      if (st.isFile()) totalBytes = st.size;
    } catch (err) {
      throw new YojinError(
        'FEED_UNREADABLE',
        `cannot read ${path}: ${(err as Error).message}; give the path of a feed file or - for stdin`,
        { path },
      );
    }
    input = createReadStream(path, { highWaterMark: 256 * 1024 });
  }
  async function* counting(): AsyncIterable<Buffer> {
    for await (const chunk of input as AsyncIterable<Buffer | string>) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      counted += b.length;
      yield b;
    }
  }
  const items = parser.parse(readLines(counting()));
  return { items, bytesRead: () => counted, totalBytes };
}
