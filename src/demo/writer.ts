import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A file written line by line with back-pressure: benchmark-scale files (GBs of RADIUS detail) are
 * never held in memory. Lines are gathered into ~64 KiB chunks; measured ~5x faster than one write()
 * per line for the RADIUS detail file.
 */
export class LineWriter {
  private readonly out: WriteStream;
  private buf: string[] = [];
  private size = 0;
  lines = 0;
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.out = createWriteStream(path, { encoding: 'utf8' });
  }
  async line(text: string): Promise<void> {
    this.buf.push(text);
    this.size += text.length + 1;
    this.lines++;
    if (this.size >= 65536) await this.flush();
  }
  private async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const chunk = `${this.buf.join('\n')}\n`;
    this.buf = [];
    this.size = 0;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, 'finish');
  }
}
