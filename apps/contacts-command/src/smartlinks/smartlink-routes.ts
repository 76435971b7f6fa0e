import { Router, type Request, type Response } from 'express';
import { principalOf, requireScope, smartlinkShareUrl, type TokenVerifier } from '@reps/auth';
import {
  SmartlinkActivityBody,
  SmartlinkCreateBody,
  SmartlinkSettingsBody,
  parseBody,
  unwrapResourceBody,
  unwrapSmartlinkBody,
  type Smartlink,
} from '@reps/contracts';
import type { UserActor } from '@reps/contacts-domain';
import { requestIdOf } from '@reps/http';
import { encodeSmartlinkConsistencyToken } from '../contacts/consistency-token';
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
import { isCountedOpen } from './counted-open';
import type { SmartlinkCommandHandler, SmartlinkOutcome } from './smartlink-command-handler';
import type { SmartlinkSettingsStore } from './smartlink-stores';

export interface SmartlinkRoutesDeps {
  handler: SmartlinkCommandHandler;
  settings: SmartlinkSettingsStore;
  ids: IdAllocator;
  idempotency: IdempotencyStore;
  verifier: TokenVerifier;
  clock: () => Date;
  publicBaseUrl: string;
}

const BASE = `/api/user/crm/${API_VERSION}/smartlinks`;
const SETTINGS = `/api/company/crm/${API_VERSION}/smartlink_settings`;
/** The public routes: the token in the path is the only credential. */
export const OPEN_PATH = '/l/:token';
export const BEACON_PATH = '/api/public/smartlinks/:token/activities';

const USER_AGENT_MAX = 512;

const actorOf = (req: Request): UserActor => {
  const principal = principalOf(req);
  if (principal.scope !== 'user') throw new Error('SmartLink routes run behind requireScope(user)');
  return principal;
};

/** The resource as the write answers it: nothing was opened yet (reads get the counts from the read side). */
function toResource(outcome: SmartlinkOutcome, publicBaseUrl: string): Smartlink {
  const { state, token } = outcome;
  return {
    id: state.id,
    token,
    share_url: smartlinkShareUrl(publicBaseUrl, token),
    contact_id: state.contact_id,
    shareable_type: state.shareable_type,
    shareable_id: state.shareable_id,
    shareable_name: state.shareable_name,
    url: state.url,
    opens_count: 0,
    last_opened_at: null,
    activities_count: 0,
    revoked_at: state.revoked_at,
    created_at: state.created_at,
  };
}

/** Public answers are never cached and never leak the link page as a referrer. */
function publicHeaders(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

export function createSmartlinkRoutes(deps: SmartlinkRoutesDeps): Router {
  const router = Router();
  const idempotent = createIdempotentRunner(deps.idempotency, deps.clock);
  router.use(BASE, requireScope(deps.verifier, 'user'));
  router.use(SETTINGS, requireScope(deps.verifier, 'company'));

  const created = (outcome: SmartlinkOutcome): StoredResponse =>
    versionedResponse(201, { smartlink: toResource(outcome, deps.publicBaseUrl) }, {
      version: outcome.version,
      consistencyToken: encodeSmartlinkConsistencyToken(outcome.state.id, outcome.version),
      location: `${BASE}/${outcome.state.id}`,
    });

  router.post(BASE, async (req, res) => {
    const actor = actorOf(req);
    const body = parseOr422(parseBody(SmartlinkCreateBody, unwrapSmartlinkBody(req.body)));
    await idempotent(
      req,
      res,
      createWithReservedId(
        () => deps.ids.next(),
        (smartlinkId) => deps.handler.create(smartlinkId, actor, body, { correlationId: requestIdOf(req) }),
        (smartlinkId) => deps.handler.load(smartlinkId, actor),
        created,
      ),
    );
  });

  /** Revoking is soft: the link keeps its history and `revoked_at`; its token answers 404 from now on. */
  router.delete(`${BASE}/:id`, async (req, res) => {
    const actor = actorOf(req);
    const smartlinkId = idParam(req, 'id', 'SmartLink not found');
    const context = { correlationId: requestIdOf(req), ...versionContext(req) };
    const { version } = await deps.handler.revoke(smartlinkId, actor, context);
    send(res, deletedResponse(encodeSmartlinkConsistencyToken(smartlinkId, version)));
  });

  router.get(SETTINGS, async (req, res) => {
    const { companyId } = principalOf(req);
    const current = await deps.settings.get(companyId);
    res.json({
      smartlink_settings: {
        allowed_hosts: current.allowed_hosts,
        updated_at: current.updated_at?.toISOString() ?? null,
      },
    });
  });

  router.put(SETTINGS, async (req, res) => {
    const { companyId } = principalOf(req);
    const body = parseOr422(
      parseBody(SmartlinkSettingsBody, unwrapResourceBody(req.body, 'smartlink_settings')),
    );
    const saved = await deps.settings.put(companyId, body.allowed_hosts, deps.clock());
    res.json({
      smartlink_settings: { allowed_hosts: saved.allowed_hosts, updated_at: saved.updated_at.toISOString() },
    });
  });

  // GET and HEAD: express answers HEAD with the GET route; only a counted GET records an open.
  router.get(OPEN_PATH, async (req, res) => {
    publicHeaders(res);
    const agent = req.get('user-agent');
    const target = await deps.handler.open(String(req.params['token']), {
      userAgent: agent === undefined ? null : agent.slice(0, USER_AGENT_MAX),
      count: isCountedOpen(req.method, (name) => req.get(name)),
      correlationId: requestIdOf(req),
    });
    res.redirect(302, target);
  });

  router.post(BEACON_PATH, async (req, res) => {
    publicHeaders(res);
    // The body first: a bad body is a 422 whatever the token, so it tells nothing about the token.
    const body = parseOr422(parseBody(SmartlinkActivityBody, req.body));
    await deps.handler.recordActivity(String(req.params['token']), body, { correlationId: requestIdOf(req) });
    res.status(202).json({ status: 'accepted', meta: { request_id: requestIdOf(req) } });
  });

  return router;
}
