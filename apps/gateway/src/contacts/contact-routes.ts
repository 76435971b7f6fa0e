import { Router, type Request, type RequestHandler, type Response } from 'express';
import { exceedsBulkMax, parseBody, unwrapContactBody } from '@reps/contracts';
import { MethodNotAllowedError, NotFoundError, PayloadTooLargeError, ValidationError } from '@reps/errors';
import { requestIdOf } from '@reps/http';
import type { UpstreamClient, UpstreamResponse } from '../upstream/upstream-client';
import { CONTACT_OPERATIONS, scopeBase, type ContactOperation } from './contact-operations';
import { assertListQuery } from './list-query';

export interface ContactRoutesDeps {
  command: UpstreamClient;
  query: UpstreamClient;
  /** Answer timeout for bulk creates (the others use the client's default). */
  bulkTimeoutMs: number;
}

const CONTACT_ID = /^[1-9]\d{0,15}$/;

function relay(res: Response, upstream: UpstreamResponse): void {
  for (const [name, value] of Object.entries(upstream.headers)) res.setHeader(name, value);
  res.setHeader('Content-Length', String(upstream.body.length));
  // res.end, not res.send: send would add an ETag of its own to GET answers.
  res.status(upstream.status).end(upstream.body);
}

/**
 * Checks at the edge what is cheap to check, so a bad request costs no upstream hop: ids that
 * cannot exist (404, like the services), list parameters (400), body contracts (422, the same
 * zod schemas and messages the command service uses), the bulk size (413).
 */
function checkAtEdge(op: ContactOperation, req: Request): void {
  if (op.path.includes(':id') && !CONTACT_ID.test(String(req.params['id'])))
    throw new NotFoundError('Contact not found');
  if (op.kind === 'list') assertListQuery(req.query);
  if (op.kind === 'bulk' && exceedsBulkMax(req.body))
    throw new PayloadTooLargeError('A bulk request holds at most 1000 contacts');
  // Bulk items are validated one by one upstream: a bad item fails alone, not the whole batch.
  if (op.body && op.kind !== 'bulk') {
    const parsed = parseBody(op.body.schema, unwrapContactBody(req.body));
    if (!parsed.ok) throw new ValidationError(parsed.issues);
  }
}

function forwarder(op: ContactOperation, deps: ContactRoutesDeps): RequestHandler {
  const upstream = op.upstream === 'command' ? deps.command : deps.query;
  return async (req, res) => {
    checkAtEdge(op, req);
    // A caller that hangs up abandons its upstream call too (a write already applied stays applied).
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const answer = await upstream.send({
      method: op.method,
      // Reads keep their query string; writes have none to pass on.
      path: op.upstream === 'query' ? req.originalUrl : req.path,
      headers: req.headers,
      requestId: requestIdOf(req),
      clientIp: req.socket.remoteAddress,
      // The body as the client sent it (not as normalized here): the command service validates
      // it again and compares it for Idempotency-Key replays.
      ...(op.body && req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      ...(op.kind === 'bulk' ? { timeoutMs: deps.bulkTimeoutMs } : {}),
      signal: abort.signal,
    });
    relay(res, answer);
  };
}

/** Every public contacts operation of both scopes, routed to the service that owns it. */
export function createContactRoutes(deps: ContactRoutesDeps): Router {
  const router = Router();
  const methodsByPath = new Map<string, string[]>();
  for (const op of CONTACT_OPERATIONS) {
    const path = `${scopeBase(op.scope)}${op.path}`;
    methodsByPath.set(path, [...(methodsByPath.get(path) ?? []), op.method]);
  }
  for (const op of CONTACT_OPERATIONS) {
    const path = `${scopeBase(op.scope)}${op.path}`;
    const handler = forwarder(op, deps);
    switch (op.method) {
      case 'GET':
        router.get(path, handler);
        break;
      case 'POST':
        router.post(path, handler);
        break;
      case 'PATCH':
        router.patch(path, handler);
        break;
      case 'DELETE':
        router.delete(path, handler);
        break;
    }
  }
  // A known path with another method is a 405 naming the allowed ones, not a 404.
  for (const [path, methods] of methodsByPath) {
    const allow = [...methods, 'OPTIONS'].join(', ');
    router.all(path, (req, res, next) => {
      res.setHeader('Allow', allow);
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      next(new MethodNotAllowedError(`${req.method} is not allowed here; allowed: ${allow}`));
    });
  }
  return router;
}
