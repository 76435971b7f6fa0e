import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, NotFoundError, RateLimitedError, ServiceUnavailableError } from '@reps/errors';
import type { Logger } from '@reps/observability';
import { requestIdOf } from './request-id';

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

/**
 * Errors by which the drivers we use say a server cannot be reached right now (it is restarting,
 * the network blipped), recognised by name so this library needs none of the drivers. They mean
 * "try again shortly", not a bug: a 503 with `Retry-After`, never a 500 (found by `npm run chaos`,
 * which restarts the database server under load).
 */
const UNAVAILABLE_ERROR_NAMES = new Set([
  // mongodb
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
  // kafkajs
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  // ioredis
  'MaxRetriesPerRequestError',
]);
/** MongoDB server error codes of a server shutting down or not (yet) writable: HostUnreachable … InterruptedAtShutdown. */
const UNAVAILABLE_MONGO_CODES = new Set([6, 7, 89, 91, 189, 10107, 11600, 11602, 13435]);

/**
 * Whether `error` (or an error it wraps as `cause`, or as `errorResponse` — the MongoDB driver's
 * `MongoBulkWriteError` carries the network error that cut an `insertMany` off there, with no
 * code of its own) says a dependency is unreachable for now.
 */
export function isDependencyUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const { name, code, cause, errorResponse } = error as {
    name?: unknown;
    code?: unknown;
    cause?: unknown;
    errorResponse?: unknown;
  };
  if (typeof name === 'string' && UNAVAILABLE_ERROR_NAMES.has(name)) return true;
  if (name === 'MongoServerError' && typeof code === 'number' && UNAVAILABLE_MONGO_CODES.has(code)) return true;
  return (
    isDependencyUnavailable(cause, depth + 1) ||
    (errorResponse instanceof Error && isDependencyUnavailable(errorResponse, depth + 1))
  );
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
 * The single place errors become HTTP responses. Known errors keep their status and code; a
 * dependency that cannot be reached is a 503 with `Retry-After`; everything else is a 500 whose
 * detail goes to the log only — never a stack to the client.
 */
export function createErrorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const requestId = requestIdOf(req);
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
    if (isDependencyUnavailable(error)) {
      const unavailable = new ServiceUnavailableError();
      logger.warn({ err: error, requestId }, unavailable.message);
      res.setHeader('Retry-After', String(unavailable.retryAfterSeconds));
      res.status(unavailable.status).json(errorEnvelope(requestId, unavailable.code, unavailable.message));
      return;
    }
    logger.error({ err: error, requestId }, 'unhandled error');
    res.status(500).json(errorEnvelope(requestId, 'internal_error', 'Internal server error'));
  };
}
