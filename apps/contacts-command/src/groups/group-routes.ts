import { Router, type Request } from 'express';
import { principalOf, requireScope, type TokenVerifier } from '@reps/auth';
import {
  GROUP_CONTACTS_MAX,
  GroupContactsAddBody,
  GroupCreateBody,
  GroupUpdateBody,
  exceedsGroupContactsMax,
  parseBody,
  unwrapGroupBody,
} from '@reps/contracts';
import { toGroupResource, type UserActor } from '@reps/contacts-domain';
import { PayloadTooLargeError } from '@reps/errors';
import { requestIdOf } from '@reps/http';
import { encodeGroupConsistencyToken } from '../contacts/consistency-token';
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
import type { GroupCommandHandler, GroupOutcome } from './group-command-handler';

export interface GroupRoutesDeps {
  handler: GroupCommandHandler;
  ids: IdAllocator;
  idempotency: IdempotencyStore;
  verifier: TokenVerifier;
  clock: () => Date;
}

const BASE = `/api/user/crm/${API_VERSION}/groups`;

const groupIdParam = (req: Request) => idParam(req, 'id', 'Group not found');

/** Groups are user-scoped: `requireScope('user')` lets nothing else through. */
const actorOf = (req: Request): UserActor => {
  const principal = principalOf(req);
  if (principal.scope !== 'user') throw new Error('group routes run behind requireScope(user)');
  return principal;
};

function groupResponse(status: number, outcome: GroupOutcome, location?: string): StoredResponse {
  return versionedResponse(status, { group: toGroupResource(outcome.state, outcome.contactsCount) }, {
    version: outcome.version,
    consistencyToken: encodeGroupConsistencyToken(outcome.state.id, outcome.version),
    ...(location ? { location } : {}),
  });
}

/** The rep's groups: create, rename/describe, delete, and membership (DESIGN §6). */
export function createGroupRoutes(deps: GroupRoutesDeps): Router {
  const router = Router();
  const idempotent = createIdempotentRunner(deps.idempotency, deps.clock);
  router.use(BASE, requireScope(deps.verifier, 'user'));

  router.post(BASE, async (req, res) => {
    const actor = actorOf(req);
    const body = parseOr422(parseBody(GroupCreateBody, unwrapGroupBody(req.body)));
    await idempotent(
      req,
      res,
      createWithReservedId(
        () => deps.ids.next(),
        (groupId) => deps.handler.create(groupId, actor, body, { correlationId: requestIdOf(req) }),
        (groupId) => deps.handler.load(groupId, actor),
        (outcome, groupId) => groupResponse(201, outcome, `${BASE}/${groupId}`),
      ),
    );
  });

  router.patch(`${BASE}/:id`, async (req, res) => {
    const actor = actorOf(req);
    const groupId = groupIdParam(req);
    const context = { correlationId: requestIdOf(req), ...versionContext(req) };
    const body = parseOr422(parseBody(GroupUpdateBody, unwrapGroupBody(req.body)));
    send(res, groupResponse(200, await deps.handler.update(groupId, actor, body, context)));
  });

  router.delete(`${BASE}/:id`, async (req, res) => {
    const actor = actorOf(req);
    const groupId = groupIdParam(req);
    const context = { correlationId: requestIdOf(req), ...versionContext(req) };
    const { version } = await deps.handler.remove(groupId, actor, context);
    send(res, deletedResponse(encodeGroupConsistencyToken(groupId, version)));
  });

  router.post(`${BASE}/:id/contacts`, async (req, res) => {
    const actor = actorOf(req);
    const groupId = groupIdParam(req);
    const context = { correlationId: requestIdOf(req), ...versionContext(req) };
    if (exceedsGroupContactsMax(req.body)) {
      throw new PayloadTooLargeError(`A membership request names at most ${GROUP_CONTACTS_MAX} contacts`);
    }
    const body = parseOr422(parseBody(GroupContactsAddBody, req.body));
    await idempotent(req, res, async () => {
      const { results, version } = await deps.handler.addContacts(groupId, actor, body.contact_ids, context);
      const count = (status: string) => results.filter((r) => r.status === status).length;
      const answer = { results, meta: { added: count('added'), already_member: count('already_member'), failed: count('error') } };
      return versionedResponse(200, answer, { version, consistencyToken: encodeGroupConsistencyToken(groupId, version) });
    });
  });

  router.delete(`${BASE}/:id/contacts/:contact_id`, async (req, res) => {
    const actor = actorOf(req);
    const groupId = groupIdParam(req);
    const contactId = idParam(req, 'contact_id', 'Contact not found');
    const context = { correlationId: requestIdOf(req), ...versionContext(req) };
    const { version } = await deps.handler.removeContact(groupId, actor, contactId, context);
    send(res, versionedResponse(204, undefined, { version, consistencyToken: encodeGroupConsistencyToken(groupId, version) }));
  });

  return router;
}
