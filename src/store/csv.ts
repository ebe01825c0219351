/** CSV encoding for COPY … FROM (FORMAT csv): NULL is an unquoted empty field, '' a quoted one. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (v instanceof Date) s = v.toISOString();
  else if (typeof v === 'object') s = JSON.stringify(v);
  else s = String(v);
  return `"${s.replaceAll('"', '""')}"`;
}

export function csvRow(row: unknown[]): string {
  return `${row.map(csvField).join(',')}\n`;
}

export function copySql(table: string, columns: string[], source: string): string {
  const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const tableSql = table.split('.').map(ident).join('.');
  return `COPY ${tableSql} (${columns.map(ident).join(', ')}) FROM ${source} WITH (FORMAT csv)`;
}

/** Groups an (async) iterable of rows into CSV text chunks of about `bytes` each. */
export async function* csvChunks(
  rows: AsyncIterable<unknown[]> | Iterable<unknown[]>,
  bytes = 1 << 20,
): AsyncGenerator<{ text: string; count: number }> {
  let parts: string[] = [];
  let size = 0;
  let count = 0;
  for await (const row of rows) {
    const line = csvRow(row);
    parts.push(line);
    size += line.length;
    count++;
    if (size >= bytes) {
      yield { text: parts.join(''), count };
      parts = [];
      size = 0;
      count = 0;
    }
  }
  if (count > 0) yield { text: parts.join(''), count };
}
