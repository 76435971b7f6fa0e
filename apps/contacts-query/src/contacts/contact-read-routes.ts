import { Router, type Request, type Response } from 'express';
import { Counter, type Registry } from 'prom-client';
import { principalOf, requireScope, type Principal, type TokenVerifier } from '@reps/auth';
import { contactsWithGroups, readModelId, visibleGroup, type ReadModelCollections } from '@reps/contacts-read-model';
import { NotFoundError, ServiceUnavailableError } from '@reps/errors';
import { MongoServerError } from 'mongodb';
import { requestIdOf } from '@reps/http';
import { decodeConsistencyToken } from './consistency-token';
import { decodeCursor, encodeCursor } from './list-cursor';
import type { ListScope } from './list-filter';
import { parseContactListQuery } from '@reps/contracts';
import { pageOfWalk, planList } from './list-walk';
import { API_VERSION, pathId, rejectAnyQuery } from '../http/read-http';
import { awaitConsistency } from './read-your-writes';

export interface ContactReadRoutesDeps {
  verifier: TokenVerifier;
  readModels: () => Promise<ReadModelCollections>;
  consistencyWaitMs: number;
  listMaxTimeMs: number;
  metrics: Registry;
  /** The clock that starts list walks and expires their cursors. */
  now?: () => number;
}

/** MongoDB's (and FerretDB's) code for a query stopped by `maxTimeMS`. */
const MAX_TIME_MS_EXPIRED = 50;

function listScope(principal: Principal): ListScope {
  return principal.scope === 'user'
    ? { scope: 'user', tenant: principal.companyId, userId: principal.userId }
    : { scope: 'company', tenant: principal.companyId };
}

/**
 * The read API. Scope is structural: a user reads the user model filtered to their own
 * contacts, a company reads the company model, which holds nothing else than its visible ones.
 */
export function createContactReadRoutes(deps: ContactReadRoutesDeps): Router {
  const router = Router();
  const consistencyWaits = new Counter({
    name: 'query_consistency_waits_total',
    help: 'Reads that carried X-Consistency-Token, by outcome (fresh: caught up in time; stale: answered after the wait)',
    labelNames: ['outcome'] as const,
    registers: [deps.metrics],
  });

  /** Honours `X-Consistency-Token`; returns the collections to read afterwards. */
  async function consistentModels(req: Request, res: Response, principal: Principal): Promise<ReadModelCollections> {
    const header = req.get('x-consistency-token');
    if (header !== undefined) {
      const token = decodeConsistencyToken(header);
      const outcome = await awaitConsistency(deps.readModels, principal, token, deps.consistencyWaitMs);
      consistencyWaits.inc({ outcome });
      res.setHeader('X-Consistency', outcome);
    }
    return deps.readModels();
  }

  for (const scope of ['user', 'company'] as const) {
    const base = `/api/${scope}/crm/${API_VERSION}/contacts`;
    router.use(`/api/${scope}/crm/${API_VERSION}`, requireScope(deps.verifier, scope));

    router.get(base, async (req, res) => {
      const principal = principalOf(req);
      const query = parseContactListQuery(req.query);
      const now = deps.now?.() ?? Date.now();
      const cursor = decodeCursor(query, now);
      const models = await consistentModels(req, res, principal);
      // Contacts carry their `group_ids`, and `group_id` filters, from the groups model of the same generation.
      const groups = models.groups;
      // A group that is not the caller's (another rep's, deleted, absent) selects nobody.
      const members =
        query.group_id === undefined
          ? undefined
          : ((await visibleGroup(groups, principal.companyId, query.group_id, principal.scope === 'user' ? principal.userId : undefined))
              ?.member_ids ?? []);
      const plan = planList(listScope(principal), query, cursor, now, members);
      const collection = models[scope];
      const bounded = <T>(answer: Promise<T>) =>
        answer.catch((error: unknown) => {
          if (error instanceof MongoServerError && error.code === MAX_TIME_MS_EXPIRED) {
            throw new ServiceUnavailableError('The list took too long to compute; try again or narrow it with filters', 5);
          }
          throw error;
        });
      const [settled, changed] = await Promise.all([
        bounded(
          collection.find(plan.settled.filter).sort(plan.settled.sort).limit(plan.settled.limit).maxTimeMS(deps.listMaxTimeMs).toArray(),
        ),
        plan.changed
          ? bounded(collection.find(plan.changed.filter).limit(plan.changed.limit).maxTimeMS(deps.listMaxTimeMs).toArray())
          : Promise.resolve([]),
      ]);
      const page = pageOfWalk(query, plan, cursor, settled, changed);
      const nextCursor = page.next ? encodeCursor(query, page.next, plan.walkStartedAt) : null;
      res.json({
        contacts: await contactsWithGroups(page.rows, groups),
        meta: { pagination: { limit: query.limit, next_cursor: nextCursor }, request_id: requestIdOf(req) },
      });
    });

    router.get(`${base}/:id`, async (req, res) => {
      const principal = principalOf(req);
      rejectAnyQuery(req.query);
      const contactId = pathId(req, 'Contact not found');
      const models = await consistentModels(req, res, principal);
      const doc = await models[scope].findOne({ _id: readModelId(principal.companyId, contactId) });
      // The company model holds only the company's visible contacts; the user model is checked for the owner.
      const visible =
        doc !== null &&
        doc.tenant_company_id === principal.companyId &&
        (principal.scope === 'company' ? doc.company_visible : doc.user_id === principal.userId);
      if (!visible) throw new NotFoundError('Contact not found');
      res.setHeader('ETag', `W/"${doc._v}"`);
      const [contact] = await contactsWithGroups([doc], models.groups);
      res.json({ contact });
    });
  }
  return router;
}

