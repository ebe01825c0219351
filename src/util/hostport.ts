/** Parses `HOST:PORT` or `[V6]:PORT` (validated in the config schema). */
export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (!m) throw new Error(`"${s}" is not HOST:PORT`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`port ${port} in "${s}" is out of range`);
  return { host: m[1], port };
}
