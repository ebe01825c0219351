import type { FastifyError, FastifyInstance } from 'fastify';
import { ERROR_CATALOG, type ErrorCode, YojinError } from '../errors/index.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/** Maps every failure to `{error: {code, message, details}}` with a code from the catalog. */
export function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError | YojinError, req, reply) => {
    if (err instanceof YojinError) {
      if (err.status >= 500) req.log.error({ err }, err.message);
      return reply.status(err.status).send(errorBody(err.code, err.message, err.details));
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const details = fe.validation.map((v) => ({
        where: `${fe.validationContext ?? 'body'}${v.instancePath ? v.instancePath.replaceAll('/', '.') : ''}`,
        problem: v.message,
        ...(v.params && 'additionalProperty' in v.params ? { key: v.params.additionalProperty } : {}),
      }));
      return reply
        .status(400)
        .send(
          errorBody(
            'REQUEST_INVALID',
            `invalid request ${fe.validationContext ?? 'body'}: ${fe.message}`,
            details,
          ),
        );
    }
    switch (fe.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply
          .status(413)
          .send(errorBody('REQUEST_TOO_LARGE', 'the request body is larger than the server accepts'));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply
          .status(415)
          .send(
            errorBody(
              'UNSUPPORTED_MEDIA_TYPE',
              `content type ${req.headers['content-type'] ?? '(none)'} is not accepted here`,
            ),
          );
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return reply
          .status(400)
          .send(errorBody('REQUEST_INVALID', `the body is not valid JSON: ${fe.message}`));
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code: ErrorCode =
        fe.statusCode === 429 ? 'RATE_LIMITED' : fe.statusCode === 404 ? 'NOT_FOUND' : 'REQUEST_INVALID';
      return reply.status(fe.statusCode).send(errorBody(code, fe.message));
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('INTERNAL', ERROR_CATALOG.INTERNAL.title));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(errorBody('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
}
