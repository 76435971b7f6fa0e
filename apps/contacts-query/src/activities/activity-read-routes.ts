import { Router, type Request } from 'express';
import { principalOf, requireScope, type TokenVerifier } from '@reps/auth';
import {
  parseActivityFeedQuery,
  parseContactActivityListQuery,
  type ContactActivityListQuery,
} from '@reps/contracts';
import {
  activityResource,
  decodeActivityCursor,
  encodeActivityCursor,
  listActivities,
  readModelId,
  type ActivityPosition,
  type ActivityQuery,
  type ReadModelCollections,
} from '@reps/contacts-read-model';
import { NotFoundError } from '@reps/errors';
import { requestIdOf } from '@reps/http';
import { API_VERSION, boundedList, consistentReadModels, pathId } from '../http/read-http';

export interface ActivityReadRoutesDeps {
  verifier: TokenVerifier;
  readModels: () => Promise<ReadModelCollections>;
  consistencyWaitMs: number;
  listMaxTimeMs: number;
}

/** The timeline cursor of the contact card too (`{o, i}`), so the card's cursor continues on these routes. */
function decodeCursor(raw: string | undefined): ActivityPosition | undefined {
  const position = decodeActivityCursor(raw);
  return position ? { o: position.o, id: position.i } : undefined;
}

const encodeCursor = (position: ActivityPosition) =>
  encodeActivityCursor({ _o: position.o, _id: position.id });

/**
 * The contact card's timeline in both scopes, and the rep's feed over all their contacts. Scope
 * first: a contact the caller cannot see is a 404 before any entry is read; a company then sees
 * only entries marked company-visible (never the rep's groups).
 */
export function createActivityReadRoutes(deps: ActivityReadRoutesDeps): Router {
  const router = Router();

  async function page(
    req: Request,
    models: ReadModelCollections,
    query: ContactActivityListQuery,
    filter: Omit<ActivityQuery, 'limit'>,
  ) {
    const { entries, next } = await boundedList(
      listActivities(models.activities, {
        ...filter,
        ...(query.type !== undefined ? { type: query.type } : {}),
        ...(query.since !== undefined ? { since: query.since } : {}),
        ...(query.cursor !== undefined ? { after: decodeCursor(query.cursor) } : {}),
        limit: query.limit,
        maxTimeMs: deps.listMaxTimeMs,
      }),
    );
    return {
      activities: entries.map(activityResource),
      meta: {
        pagination: { limit: query.limit, next_cursor: next ? encodeCursor(next) : null },
        request_id: requestIdOf(req),
      },
    };
  }

  for (const scope of ['user', 'company'] as const) {
    const path = `/api/${scope}/crm/${API_VERSION}/contacts/:id/activities`;
    router.get(path, requireScope(deps.verifier, scope), async (req, res) => {
      const principal = principalOf(req);
      const query = parseContactActivityListQuery(req.query);
      const contactId = pathId(req, 'Contact not found');
      const models = await consistentReadModels(req, res, principal, deps);
      const doc = await models[scope].findOne(
        { _id: readModelId(principal.companyId, contactId) },
        { projection: { user_id: 1, company_visible: 1, tenant_company_id: 1 } },
      );
      const visible =
        doc !== null &&
        doc.tenant_company_id === principal.companyId &&
        (principal.scope === 'company' ? doc.company_visible : doc.user_id === principal.userId);
      if (!visible) throw new NotFoundError('Contact not found');
      res.json(
        await page(req, models, query, {
          tenantCompanyId: principal.companyId,
          contactId,
          ...(principal.scope === 'company' ? { companyVisibleOnly: true } : {}),
        }),
      );
    });
  }

  const feed = `/api/user/crm/${API_VERSION}/activities`;
  router.get(feed, requireScope(deps.verifier, 'user'), async (req, res) => {
    const principal = principalOf(req);
    if (principal.scope !== 'user') throw new Error('the feed runs behind requireScope(user)');
    const query = parseActivityFeedQuery(req.query);
    const models = await consistentReadModels(req, res, principal, deps);
    res.json(
      await page(req, models, query, {
        tenantCompanyId: principal.companyId,
        userId: principal.userId,
        ...(query.contact_id !== undefined ? { contactId: query.contact_id } : {}),
      }),
    );
  });

  return router;
}
