import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, NotFoundError, RateLimitedError, ServiceUnavailableError } from '@reps/errors';
import type { Logger } from '@reps/observability';

export interface ErrorEnvelope {
  error: { code: string; message: string; details?: { field: string; message: string }[] };
  meta: { request_id: string };
}

interface BodyParserError {
  type: string;
  status?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === 'object' && error !== null && typeof (error as BodyParserError).type === 'string';
}

/** Maps body-parser's own errors to the stable codes of our envelope. */
function fromBodyParser(error: BodyParserError): { status: number; code: string; message: string } | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return { status: 400, code: 'malformed_json', message: 'The request body is not valid JSON' };
    case 'entity.too.large':
      return { status: 413, code: 'payload_too_large', message: 'Request body too large' };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, code: 'unsupported_media_type', message: 'Unsupported body encoding or charset' };
    case 'request.aborted':
      return { status: 400, code: 'bad_request', message: 'The request was aborted' };
    default:
      return undefined;
  }
}

export function errorEnvelope(
  requestId: string,
  code: string,
  message: string,
  details?: ErrorEnvelope['error']['details'],
): ErrorEnvelope {
  return { error: details ? { code, message, details } : { code, message }, meta: { request_id: requestId } };
}

/** Terminal 404 for routes nobody handles, in the same envelope as every other error. */
export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new NotFoundError('No such route'));
};

/**
 * The single place errors become HTTP responses. Known errors keep their status and code;
 * everything else is a 500 whose detail goes to the log only — never a stack to the client.
 */
export function createErrorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const requestId = String(req.id ?? '');
    if (error instanceof AppError) {
      if (error instanceof RateLimitedError || error instanceof ServiceUnavailableError) {
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
      }
      if (error.status >= 500) logger.warn({ err: error, requestId }, error.message);
      res.status(error.status).json(errorEnvelope(requestId, error.code, error.message, error.details));
      return;
    }
    const mapped = isBodyParserError(error) ? fromBodyParser(error) : undefined;
    if (mapped) {
      res.status(mapped.status).json(errorEnvelope(requestId, mapped.code, mapped.message));
      return;
    }
    logger.error({ err: error, requestId }, 'unhandled error');
    res.status(500).json(errorEnvelope(requestId, 'internal_error', 'Internal server error'));
  };
}
