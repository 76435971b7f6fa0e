import type { Request, Router } from 'express';
import { exceedsBulkMax, parseBody, unwrapContactBody } from '@reps/contracts';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '@reps/errors';
import { createForwardingRoutes, type ForwardingDeps } from '../upstream/forwarding-routes';
import { CONTACT_OPERATIONS, type ContactOperation } from './contact-operations';
import { assertListQuery } from './list-query';

export type ContactRoutesDeps = ForwardingDeps;

const CONTACT_ID = /^[1-9]\d{0,15}$/;

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

/** Every public contacts operation of both scopes, routed to the service that owns it. */
export function createContactRoutes(deps: ContactRoutesDeps): Router {
  return createForwardingRoutes(CONTACT_OPERATIONS, deps, checkAtEdge);
}
