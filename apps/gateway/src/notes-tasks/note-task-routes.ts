import type { Request, Router } from 'express';
import {
  parseBody,
  parseContactCardQuery,
  parseNoteListQuery,
  parseTaskListQuery,
  unwrapResourceBody,
} from '@reps/contracts';
import { NotFoundError, ValidationError } from '@reps/errors';
import type { ApiOperation } from '../contacts/contact-operations';
import { createForwardingRoutes, type ForwardingDeps } from '../upstream/forwarding-routes';
import { NOTE_TASK_OPERATIONS } from './note-task-operations';

const ID = /^[1-9]\d{0,15}$/;

/** The contacts' edge checks: impossible ids 404, list queries 400, bodies 422 — before any hop. */
function checkAtEdge(op: ApiOperation, req: Request): void {
  const what = op.path.startsWith('/notes') ? 'Note' : op.path.startsWith('/tasks') ? 'Task' : 'Contact';
  if (op.path.includes(':id') && !ID.test(String(req.params['id'])))
    throw new NotFoundError(`${what} not found`);
  if (op.kind === 'list') (what === 'Note' ? parseNoteListQuery : parseTaskListQuery)(req.query);
  if (op.path.endsWith('/card')) parseContactCardQuery(req.query);
  if (op.body) {
    const parsed = parseBody(op.body.schema, unwrapResourceBody(req.body, op.body.wrapper ?? 'contact'));
    if (!parsed.ok) throw new ValidationError(parsed.issues);
  }
}

/** Notes, tasks and the card, routed to contacts-command (writes) and contacts-query (reads). */
export function createNoteTaskRoutes(deps: ForwardingDeps): Router {
  return createForwardingRoutes(NOTE_TASK_OPERATIONS, deps, checkAtEdge);
}
