/**
 * The error classes every service throws. Each carries a stable machine-readable `code`
 * (part of the public contract: clients switch on it) and the HTTP status it maps to.
 * One middleware in `@reps/http` turns them into the error envelope; anything that is not
 * an `AppError` becomes a 500 with no detail leaked.
 */

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `contacts.3.email`; empty for the whole body. */
  field: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  readonly code: string;
  readonly details: FieldIssue[] | undefined;

  constructor(code: string, message: string, details?: FieldIssue[]) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** 400: the request itself is malformed (bad JSON, unknown query parameter). */
export class BadRequestError extends AppError {
  readonly status = 400;
  constructor(message: string, details?: FieldIssue[], code = 'bad_request') {
    super(code, message, details);
  }
}

/** 401: no credentials, or credentials that cannot be verified. */
export class UnauthorizedError extends AppError {
  readonly status = 401;
  constructor(message = 'Missing or invalid bearer token') {
    super('unauthorized', message);
  }
}

/** 403: valid credentials for the wrong kind of route (user token on a company route). */
export class ForbiddenError extends AppError {
  readonly status = 403;
  constructor(message = 'This token may not use this route') {
    super('forbidden', message);
  }
}

/** 404: absent, or outside the caller's scope — the two are indistinguishable on purpose. */
export class NotFoundError extends AppError {
  readonly status = 404;
  constructor(message = 'Not found') {
    super('not_found', message);
  }
}

/** 405: the path exists but not with this method; the thrower sets `Allow`. */
export class MethodNotAllowedError extends AppError {
  readonly status = 405;
  constructor(message = 'This method is not allowed on this path') {
    super('method_not_allowed', message);
  }
}

/** 409: the request conflicts with the current state (e.g. updating a discarded contact). */
export class ConflictError extends AppError {
  readonly status = 409;
  constructor(message: string, code = 'conflict') {
    super(code, message);
  }
}

/** 412: `If-Match` named a version that is no longer current. */
export class PreconditionFailedError extends AppError {
  readonly status = 412;
  constructor(message = 'The resource was modified since the version in If-Match') {
    super('precondition_failed', message);
  }
}

/** 413: body or batch larger than allowed. */
export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  constructor(message = 'Request body too large') {
    super('payload_too_large', message);
  }
}

/** 422: well-formed request whose fields fail validation; `details` names each field. */
export class ValidationError extends AppError {
  readonly status = 422;
  constructor(details: FieldIssue[], message = 'One or more fields are invalid') {
    super('validation_failed', message, details);
  }
}

/** 429: the caller exceeded its rate limit; `retryAfterSeconds` goes into `Retry-After`. */
export class RateLimitedError extends AppError {
  readonly status = 429;
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests',
  ) {
    super('rate_limited', message);
  }
}

/** 503: a dependency is down or too slow; the client may retry after `retryAfterSeconds`. */
export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  constructor(
    message = 'A dependency is unavailable',
    readonly retryAfterSeconds = 5,
  ) {
    super('service_unavailable', message);
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
