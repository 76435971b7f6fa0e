import { Router, type Request, type RequestHandler, type Response } from 'express';
import { MethodNotAllowedError } from '@reps/errors';
import { requestIdOf } from '@reps/http';
import { scopeBase, type ApiOperation } from '../contacts/contact-operations';
import { UpstreamCallAbort, type UpstreamClient, type UpstreamResponse } from './upstream-client';

export interface ForwardingDeps {
  command: UpstreamClient;
  query: UpstreamClient;
  /** The notifier, for the push subscription and notification settings routes. */
  notifier?: UpstreamClient;
  /** Answer timeout for bulk creates (the others use the client's default). */
  bulkTimeoutMs: number;
}

/** Throws the 4xx for what is cheap to check at the edge (ids, query, body), so a bad request costs no hop. */
export type EdgeCheck = (op: ApiOperation, req: Request) => void;

function relay(res: Response, upstream: UpstreamResponse): void {
  for (const [name, value] of Object.entries(upstream.headers)) res.setHeader(name, value);
  res.setHeader('Content-Length', String(upstream.body.length));
  // res.end, not res.send: send would add an ETag of its own to GET answers.
  res.status(upstream.status).end(upstream.body);
}

function forwarder(op: ApiOperation, deps: ForwardingDeps, check: EdgeCheck): RequestHandler {
  const upstream = op.upstream === 'notifier' ? deps.notifier : op.upstream === 'command' ? deps.command : deps.query;
  if (!upstream) throw new Error(`no ${op.upstream} upstream for ${op.operationId}`);
  return async (req, res) => {
    check(op, req);
    // A caller that hangs up abandons its upstream call too (a write already applied stays applied).
    // Its abort handle is the upstream call's own (one per call, not one here linked to another there).
    const abort = new UpstreamCallAbort();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const answer = await upstream.send({
      method: op.method,
      // Reads keep their query string; writes have none to pass on. The notifier checks every query itself.
      path: op.upstream === 'command' ? req.path : req.originalUrl,
      headers: req.headers,
      requestId: requestIdOf(req),
      clientIp: req.socket.remoteAddress,
      // The body as the client sent it (not as normalized here): the command service validates
      // it again and compares it for Idempotency-Key replays.
      ...(op.body && req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      ...(op.kind === 'bulk' ? { timeoutMs: deps.bulkTimeoutMs } : {}),
      abort,
    });
    relay(res, answer);
  };
}

/** Routes each operation of a table to the service that owns it; a known path with another method is a 405. */
export function createForwardingRoutes(
  operations: readonly ApiOperation[],
  deps: ForwardingDeps,
  check: EdgeCheck,
): Router {
  const router = Router();
  const methodsByPath = new Map<string, string[]>();
  for (const op of operations) {
    const path = `${scopeBase(op.scope)}${op.path}`;
    methodsByPath.set(path, [...(methodsByPath.get(path) ?? []), op.method]);
  }
  for (const op of operations) {
    const path = `${scopeBase(op.scope)}${op.path}`;
    const handler = forwarder(op, deps, check);
    switch (op.method) {
      case 'GET':
        router.get(path, handler);
        break;
      case 'POST':
        router.post(path, handler);
        break;
      case 'PUT':
        router.put(path, handler);
        break;
      case 'PATCH':
        router.patch(path, handler);
        break;
      case 'DELETE':
        router.delete(path, handler);
        break;
    }
  }
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
