import { Router, type Request, type Response } from 'express';
import { principalOf, requireScope, type Principal, type TokenVerifier } from '@reps/auth';
import { groupNameKey, invalidListQuery, parseGroupListQuery } from '@reps/contracts';
import {
  contactsCounts,
  groupResource,
  repGroups,
  visibleGroup,
  type ReadModelCollections,
} from '@reps/contacts-read-model';
import { NotFoundError } from '@reps/errors';
import { requestIdOf } from '@reps/http';
import { API_VERSION, consistentReadModels, pathId, rejectAnyQuery } from '../http/read-http';

export interface GroupReadRoutesDeps {
  verifier: TokenVerifier;
  readModels: () => Promise<ReadModelCollections>;
  consistencyWaitMs: number;
}

interface GroupCursor {
  /** The name key and id of the last group of the previous page. */
  n: string;
  i: number;
}

function encodeCursor(cursor: GroupCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(raw: string | undefined): GroupCursor | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<GroupCursor>;
    if (typeof value.n === 'string' && typeof value.i === 'number' && Number.isSafeInteger(value.i)) {
      return { n: value.n, i: value.i };
    }
  } catch {
    // falls through to the 400
  }
  throw invalidListQuery([{ field: 'cursor', message: 'is not a cursor from this API' }]);
}

const byNameThenId = (a: { key: string; id: number }, b: { key: string; id: number }) =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : a.id - b.id;

/**
 * The rep's groups (user scope only). A rep has few groups, so a list reads all of them by `_id`
 * (the rep's index, then each group) and pages in memory, by name then id.
 */
export function createGroupReadRoutes(deps: GroupReadRoutesDeps): Router {
  const router = Router();
  const base = `/api/user/crm/${API_VERSION}/groups`;
  router.use(base, requireScope(deps.verifier, 'user'));

  async function consistentModels(req: Request, res: Response, principal: Principal) {
    const models = await consistentReadModels(req, res, principal, deps);
    return { contacts: models, groups: models.groups };
  }

  const userOf = (principal: Principal) => {
    if (principal.scope !== 'user') throw new Error('group routes run behind requireScope(user)');
    return principal;
  };

  router.get(base, async (req, res) => {
    const principal = userOf(principalOf(req));
    const query = parseGroupListQuery(req.query);
    const after = decodeCursor(query.cursor);
    const models = await consistentModels(req, res, principal);
    const all = (await repGroups(models.groups, principal.companyId, principal.userId))
      .map((doc) => ({ doc, key: groupNameKey(doc.name), id: doc.id }))
      .sort(byNameThenId);
    const rest = after ? all.filter((g) => byNameThenId(g, { key: after.n, id: after.i }) > 0) : all;
    const page = rest.slice(0, query.limit);
    const counts = await contactsCounts(
      page.map((g) => g.doc),
      models.contacts.user,
    );
    const last = page[page.length - 1];
    res.json({
      groups: page.map((g) => groupResource(g.doc, counts.get(g.id) ?? 0)),
      meta: {
        pagination: {
          limit: query.limit,
          next_cursor: rest.length > page.length && last ? encodeCursor({ n: last.key, i: last.id }) : null,
        },
        request_id: requestIdOf(req),
      },
    });
  });

  router.get(`${base}/:id`, async (req, res) => {
    const principal = userOf(principalOf(req));
    rejectAnyQuery(req.query);
    const groupId = pathId(req, 'Group not found');
    const models = await consistentModels(req, res, principal);
    const doc = await visibleGroup(models.groups, principal.companyId, groupId, principal.userId);
    if (!doc) throw new NotFoundError('Group not found');
    const counts = await contactsCounts([doc], models.contacts.user);
    res.setHeader('ETag', `W/"${doc._v}"`);
    res.json({ group: groupResource(doc, counts.get(doc.id) ?? 0) });
  });

  return router;
}
