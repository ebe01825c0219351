import { ERROR_CATALOG, type ErrorCode } from './catalog.js';

export { ERROR_CATALOG, type ErrorCode } from './catalog.js';

/** An error a person can act on: a stable code, a message that says what to do, optional details. */
export class YojinError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'YojinError';
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.details = details;
  }

  toJSON() {
    return {
      code: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function isYojinError(err: unknown, code?: ErrorCode): err is YojinError {
  return err instanceof YojinError && (code === undefined || err.code === code);
}
