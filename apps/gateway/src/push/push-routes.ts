import type { Request, Router } from 'express';
import { parseBody, unwrapResourceBody } from '@reps/contracts';
import { NotFoundError, ValidationError } from '@reps/errors';
import type { ApiOperation } from '../contacts/contact-operations';
import { createForwardingRoutes, type ForwardingDeps } from '../upstream/forwarding-routes';
import { PUSH_OPERATIONS } from './push-operations';

const ID = /^[1-9]\d{0,9}$/;

/** Impossible ids 404 and bodies 422 at the edge; the endpoint's DNS/SSRF check is the notifier's. */
function checkAtEdge(op: ApiOperation, req: Request): void {
  if (op.path.includes(':id') && !ID.test(String(req.params['id'])))
    throw new NotFoundError('Push subscription not found');
  if (op.body) {
    const parsed = parseBody(
      op.body.schema,
      op.body.wrapper ? unwrapResourceBody(req.body, op.body.wrapper) : req.body,
    );
    if (!parsed.ok) throw new ValidationError(parsed.issues);
  }
}

/** The rep's push subscriptions and notification settings, routed to the notifier. */
export function createPushRoutes(deps: ForwardingDeps): Router {
  return createForwardingRoutes(PUSH_OPERATIONS, deps, checkAtEdge);
}
