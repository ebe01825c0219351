import { lineError } from './base.js';
import type { LineError } from './types.js';

/**
 * abuse.ch lists end with `# END n entries`. Comparing n with the data lines seen catches a feed cut
 * off in transfer (the trailer of a whole file) or edited. Returns a reject naming the trailer line.
 */
export function checkEndTrailer(line: string, no: number, dataLines: number): LineError | null | undefined {
  const m = /^#\s*END\s+(\d+)\s+entries\s*$/i.exec(line);
  if (!m) return undefined; // not a trailer
  const n = Number(m[1]);
  if (n === dataLines) return null;
  return lineError(no, `trailer says ${n} entries but ${dataLines} data lines were read`, line);
}
