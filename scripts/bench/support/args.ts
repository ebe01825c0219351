// Command-line flags of the benchmarks: `--name value`.

/** The value after `--name`, or `def`. */
export function stringArg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

/** A positive integer after `--name`, or `def`; anything else exits with a message. */
export function intArg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`--${name} needs a positive integer`);
    process.exit(2);
  }
  return v;
}
