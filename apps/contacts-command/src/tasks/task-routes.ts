import { Router, type Request } from 'express';
import { principalOf, requireScope, type TokenVerifier } from '@reps/auth';
import { TaskCreateBody, TaskUpdateBody, parseBody, unwrapTaskBody } from '@reps/contracts';
import { toTaskResource, type Actor } from '@reps/contacts-domain';
import { requestIdOf } from '@reps/http';
import { encodeTaskConsistencyToken } from '../contacts/consistency-token';
import {
  API_VERSION,
  createIdempotentRunner,
  createWithReservedId,
  deletedResponse,
  idParam,
  parseOr422,
  send,
  versionContext,
  versionedResponse,
} from '../http/command-http';
import type { IdAllocator } from '../ids/id-allocator';
import type { IdempotencyStore, StoredResponse } from '../idempotency/idempotency-store';
import type { TaskCommandHandler, TaskOutcome } from './task-command-handler';

export interface TaskRoutesDeps {
  handler: TaskCommandHandler;
  ids: IdAllocator;
  idempotency: IdempotencyStore;
  verifier: TokenVerifier;
  clock: () => Date;
}

const taskIdParam = (req: Request) => idParam(req, 'id', 'Task not found');
const actorOf = (req: Request): Actor => principalOf(req);

/** Tasks in both scopes (DESIGN §6): create, update (reschedule, complete, reopen, reassign), delete. */
export function createTaskRoutes(deps: TaskRoutesDeps): Router {
  const router = Router();
  const idempotent = createIdempotentRunner(deps.idempotency, deps.clock);
  const taskResponse = (status: number, outcome: TaskOutcome, location?: string): StoredResponse =>
    versionedResponse(status, { task: toTaskResource(outcome.state, outcome.contact, deps.clock()) }, {
      version: outcome.version,
      consistencyToken: encodeTaskConsistencyToken(outcome.state.id, outcome.version),
      ...(location ? { location } : {}),
    });

  for (const scope of ['user', 'company'] as const) {
    const base = `/api/${scope}/crm/${API_VERSION}/tasks`;
    router.use(base, requireScope(deps.verifier, scope));
    const context = (req: Request) => ({ correlationId: requestIdOf(req), ...versionContext(req) });

    router.post(base, async (req, res) => {
      const actor = actorOf(req);
      const body = parseOr422(parseBody(TaskCreateBody, unwrapTaskBody(req.body)));
      await idempotent(
        req,
        res,
        createWithReservedId(
          () => deps.ids.next(),
          (taskId) => deps.handler.create(taskId, actor, body, context(req)),
          (taskId) => deps.handler.load(taskId, actor),
          (outcome, taskId) => taskResponse(201, outcome, `${base}/${taskId}`),
        ),
      );
    });

    router.patch(`${base}/:id`, async (req, res) => {
      const actor = actorOf(req);
      const taskId = taskIdParam(req);
      const ctx = context(req);
      const body = parseOr422(parseBody(TaskUpdateBody, unwrapTaskBody(req.body)));
      send(res, taskResponse(200, await deps.handler.update(taskId, actor, body, ctx)));
    });

    router.delete(`${base}/:id`, async (req, res) => {
      const actor = actorOf(req);
      const taskId = taskIdParam(req);
      const { version } = await deps.handler.remove(taskId, actor, context(req));
      send(res, deletedResponse(encodeTaskConsistencyToken(taskId, version)));
    });
  }
  return router;
}
