import type { Request, Router } from 'express';
import {
  parseActivityFeedQuery,
  parseBody,
  parseContactActivityListQuery,
  parseSmartlinkListQuery,
  unwrapResourceBody,
} from '@reps/contracts';
import { NotFoundError, ValidationError } from '@reps/errors';
import type { ApiOperation } from '../contacts/contact-operations';
import { createForwardingRoutes, type ForwardingDeps } from '../upstream/forwarding-routes';
import { ACTIVITY_OPERATIONS, SMARTLINK_OPERATIONS } from './smartlink-operations';

const ID = /^[1-9]\d{0,15}$/;

const QUERIES: Record<string, (raw: unknown) => unknown> = {
  userListSmartlinks: parseSmartlinkListQuery,
  userListContactActivities: parseContactActivityListQuery,
  companyListContactActivities: parseContactActivityListQuery,
  userListActivities: parseActivityFeedQuery,
};

/** The same edge checks as for contacts: impossible ids 404, list queries 400, bodies 422. */
function checkAtEdge(op: ApiOperation, req: Request): void {
  if (op.path.includes(':id') && !ID.test(String(req.params['id']))) {
    throw new NotFoundError(op.path.startsWith('/contacts') ? 'Contact not found' : 'SmartLink not found');
  }
  QUERIES[op.operationId]?.(req.query);
  if (op.body) {
    const parsed = parseBody(
      op.body.schema,
      op.body.wrapped ? unwrapResourceBody(req.body, op.body.wrapper ?? '') : req.body,
    );
    if (!parsed.ok) throw new ValidationError(parsed.issues);
  }
}

/** SmartLinks, the company's SmartLink settings and the activity timeline, routed to contacts-command and contacts-query. */
export function createSmartlinkRoutes(deps: ForwardingDeps): Router {
  return createForwardingRoutes([...SMARTLINK_OPERATIONS, ...ACTIVITY_OPERATIONS], deps, checkAtEdge);
}
