import { Router, type Request } from 'express';
import type { Filter } from 'mongodb';
import {
  deriveSmartlinkToken,
  principalOf,
  requireScope,
  smartlinkShareUrl,
  type TokenVerifier,
} from '@reps/auth';
import { invalidListQuery, parseSmartlinkListQuery, type Smartlink } from '@reps/contracts';
import { smartlinkReadId, type ReadModelCollections, type SmartlinkReadDoc } from '@reps/contacts-read-model';
import { NotFoundError } from '@reps/errors';
import { requestIdOf } from '@reps/http';
import { API_VERSION, boundedList, consistentReadModels, pathId, rejectAnyQuery } from '../http/read-http';

export interface SmartlinkReadRoutesDeps {
  verifier: TokenVerifier;
  readModels: () => Promise<ReadModelCollections>;
  consistencyWaitMs: number;
  listMaxTimeMs: number;
  tokenKey: string;
  publicBaseUrl: string;
}

function decodeCursor(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  const match = /^s:([1-9]\d{0,15})$/.exec(text);
  if (!match?.[1]) throw invalidListQuery([{ field: 'cursor', message: 'is not a cursor from this API' }]);
  return Number(match[1]);
}

const encodeCursor = (id: number) => Buffer.from(`s:${id}`, 'utf8').toString('base64url');

/**
 * The rep's SmartLinks (user scope only), from the SmartLinks read model: counts as projected, the
 * token and share URL derived with the key contacts-command uses (the events never carry them).
 */
export function createSmartlinkReadRoutes(deps: SmartlinkReadRoutesDeps): Router {
  const router = Router();
  const base = `/api/user/crm/${API_VERSION}/smartlinks`;
  router.use(base, requireScope(deps.verifier, 'user'));

  const userOf = (req: Request) => {
    const principal = principalOf(req);
    if (principal.scope !== 'user') throw new Error('SmartLink routes run behind requireScope(user)');
    return principal;
  };

  const resource = (doc: SmartlinkReadDoc): Smartlink => {
    const token = deriveSmartlinkToken(deps.tokenKey, doc.tenant_company_id, doc.id);
    return {
      id: doc.id,
      token,
      share_url: smartlinkShareUrl(deps.publicBaseUrl, token),
      contact_id: doc.contact_id,
      shareable_type: doc.shareable_type,
      shareable_id: doc.shareable_id,
      shareable_name: doc.shareable_name,
      url: doc.url,
      opens_count: doc.opens_count,
      last_opened_at: doc.last_opened_at,
      activities_count: doc.activities_count,
      revoked_at: doc.revoked_at,
      created_at: doc.created_at,
    };
  };

  router.get(base, async (req, res) => {
    const principal = userOf(req);
    const query = parseSmartlinkListQuery(req.query);
    const after = decodeCursor(query.cursor);
    const models = await consistentReadModels(req, res, principal, deps);
    const filter: Filter<SmartlinkReadDoc> = {
      tenant_company_id: principal.companyId,
      user_id: principal.userId,
    };
    if (query.contact_id !== undefined) filter.contact_id = query.contact_id;
    if (after !== undefined) filter.id = { $lt: after };
    const docs = await boundedList(
      models.smartlinks
        .find(filter)
        .sort({ id: -1 })
        .limit(query.limit + 1)
        .maxTimeMS(deps.listMaxTimeMs)
        .toArray(),
    );
    const page = docs.slice(0, query.limit);
    const last = page[page.length - 1];
    res.json({
      smartlinks: page.map(resource),
      meta: {
        pagination: {
          limit: query.limit,
          next_cursor: docs.length > query.limit && last ? encodeCursor(last.id) : null,
        },
        request_id: requestIdOf(req),
      },
    });
  });

  router.get(`${base}/:id`, async (req, res) => {
    const principal = userOf(req);
    rejectAnyQuery(req.query);
    const smartlinkId = pathId(req, 'SmartLink not found');
    const models = await consistentReadModels(req, res, principal, deps);
    const doc = await models.smartlinks.findOne({ _id: smartlinkReadId(principal.companyId, smartlinkId) });
    if (!doc || doc.user_id !== principal.userId) throw new NotFoundError('SmartLink not found');
    res.setHeader('ETag', `W/"${doc._v}"`);
    res.json({ smartlink: resource(doc) });
  });

  return router;
}
