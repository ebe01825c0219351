import { YojinError } from '../errors/index.js';

/** Every canonicalisation failure is CANON_INVALID with the input (shortened) and the reason. */
export function invalid(kind: string, input: string, reason: string): YojinError {
  const shown = input.length > 200 ? `${input.slice(0, 200)}…` : input;
  return new YojinError('CANON_INVALID', `not a valid ${kind}: ${JSON.stringify(shown)} (${reason})`, {
    kind,
    reason,
  });
}
