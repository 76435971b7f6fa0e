import type { Request, Router } from 'express';
import {
  GROUP_CONTACTS_MAX,
  exceedsGroupContactsMax,
  parseBody,
  parseGroupListQuery,
  unwrapGroupBody,
} from '@reps/contracts';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '@reps/errors';
import type { ApiOperation } from '../contacts/contact-operations';
import { createForwardingRoutes, type ForwardingDeps } from '../upstream/forwarding-routes';
import { GROUP_OPERATIONS } from './group-operations';

const ID = /^[1-9]\d{0,15}$/;

/** The same edge checks as for contacts: impossible ids 404, the list query 400, the id count 413, bodies 422. */
function checkAtEdge(op: ApiOperation, req: Request): void {
  if (op.path.includes(':id') && !ID.test(String(req.params['id'])))
    throw new NotFoundError('Group not found');
  if (op.path.includes(':contact_id') && !ID.test(String(req.params['contact_id'])))
    throw new NotFoundError('Contact not found');
  if (op.kind === 'list') parseGroupListQuery(req.query);
  if (op.kind === 'add-members' && exceedsGroupContactsMax(req.body))
    throw new PayloadTooLargeError(`A membership request names at most ${GROUP_CONTACTS_MAX} contacts`);
  if (op.body) {
    const parsed = parseBody(op.body.schema, op.body.wrapped ? unwrapGroupBody(req.body) : req.body);
    if (!parsed.ok) throw new ValidationError(parsed.issues);
  }
}

/** The rep's groups, routed to contacts-command (writes) and contacts-query (reads). */
export function createGroupRoutes(deps: ForwardingDeps): Router {
  return createForwardingRoutes(GROUP_OPERATIONS, deps, checkAtEdge);
}
