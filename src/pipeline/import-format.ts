import { type ErrorCode, YojinError } from '../errors/index.js';

/**
 * Narrows a `--format` value to one of an importer's known formats, or throws `code` with a message
 * that lists them (e.g. `unknown evidence format "x"; use one of a, b`).
 */
export function checkImportFormat<F extends string>(
  formats: readonly F[],
  format: string,
  code: ErrorCode,
  what: string,
): F {
  if (!(formats as readonly string[]).includes(format))
    throw new YojinError(code, `unknown ${what} format "${format}"; use one of ${formats.join(', ')}`);
  return format as F;
}
