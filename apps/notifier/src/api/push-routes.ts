import { Router, type Request } from 'express';
import { principalOf, requireScope, type TokenVerifier } from '@reps/auth';
import {
  NotificationSettingsBody,
  PUSH_SUBSCRIPTIONS_MAX,
  PushSubscriptionCreateBody,
  parseBody,
  unwrapResourceBody,
  type PushRecipient,
} from '@reps/contracts';
import { BadRequestError, NotFoundError, ValidationError } from '@reps/errors';
import { requestIdOf } from '@reps/http';
import { assertEndpointAllowed, EndpointRefusedError } from '../delivery/endpoint-guard';
import type { SettingsStore } from '../store/settings-store';
import { toSubscriptionResource, type SubscriptionStore } from '../store/subscription-store';

export const USER_BASE = '/api/user/crm/v202506';

export interface PushRoutesDeps {
  verifier: TokenVerifier;
  subscriptions: SubscriptionStore;
  settings: SettingsStore;
  vapidPublicKey: string;
  allowInsecureEndpoints: boolean;
  now?: () => Date;
}

const SUBSCRIPTION_ID = /^[1-9]\d{0,9}$/;

function repOf(req: Request): PushRecipient {
  const principal = principalOf(req);
  if (principal.scope !== 'user') throw new Error('push routes are user scope only');
  return { company_id: principal.companyId, user_id: principal.userId };
}

/** None of these routes takes query parameters: an unknown one is a 400, never silently ignored. */
function noQuery(req: Request): void {
  const names = Object.keys(req.query);
  if (names.length > 0)
    throw new BadRequestError(
      'Unknown query parameter',
      names.map((field) => ({ field, message: 'is not a known query parameter' })),
      'unknown_query_parameter',
    );
}

/**
 * The rep's push subscriptions and notification settings (DESIGN §6), user tokens only. The
 * gateway forwards these routes here unchanged; this service checks the token itself too.
 */
export function createPushRoutes(deps: PushRoutesDeps): Router {
  const router = Router();
  const now = deps.now ?? (() => new Date());
  router.use(
    [`${USER_BASE}/push_subscriptions`, `${USER_BASE}/notification_settings`],
    requireScope(deps.verifier, 'user'),
  );

  router.get(`${USER_BASE}/push_subscriptions/vapid_public_key`, (req, res) => {
    noQuery(req);
    res.json({ vapid_public_key: deps.vapidPublicKey });
  });

  router.get(`${USER_BASE}/push_subscriptions`, async (req, res) => {
    noQuery(req);
    const subs = await deps.subscriptions.list(repOf(req));
    res.json({
      push_subscriptions: subs.map(toSubscriptionResource),
      meta: {
        pagination: { limit: PUSH_SUBSCRIPTIONS_MAX, next_cursor: null },
        request_id: requestIdOf(req),
      },
    });
  });

  router.post(`${USER_BASE}/push_subscriptions`, async (req, res) => {
    noQuery(req);
    const parsed = parseBody(PushSubscriptionCreateBody, unwrapResourceBody(req.body, 'push_subscription'));
    if (!parsed.ok) throw new ValidationError(parsed.issues);
    const body = parsed.value;
    try {
      await assertEndpointAllowed(body.endpoint, deps.allowInsecureEndpoints);
    } catch (error) {
      if (error instanceof EndpointRefusedError)
        throw new ValidationError([{ field: 'endpoint', message: error.message }]);
      throw error;
    }
    const { subscription, created } = await deps.subscriptions.upsert(
      repOf(req),
      {
        endpoint: body.endpoint,
        p256dh: body.keys.p256dh,
        auth: body.keys.auth,
        label: body.label ?? null,
        expiration_time:
          typeof body.expirationTime === 'number' ? new Date(body.expirationTime).toISOString() : null,
      },
      now(),
    );
    if (created) res.setHeader('Location', `${USER_BASE}/push_subscriptions/${subscription.id}`);
    res.status(created ? 201 : 200).json({ push_subscription: toSubscriptionResource(subscription) });
  });

  router.delete(`${USER_BASE}/push_subscriptions/:id`, async (req, res) => {
    noQuery(req);
    const id = String(req.params['id']);
    // Another rep's subscription is simply not in this rep's document: 404 either way.
    if (!SUBSCRIPTION_ID.test(id) || !(await deps.subscriptions.remove(repOf(req), Number(id))))
      throw new NotFoundError('Push subscription not found');
    res.status(204).end();
  });

  router.get(`${USER_BASE}/notification_settings`, async (req, res) => {
    noQuery(req);
    res.json({ notification_settings: await deps.settings.get(repOf(req)) });
  });

  router.put(`${USER_BASE}/notification_settings`, async (req, res) => {
    noQuery(req);
    const parsed = parseBody(NotificationSettingsBody, unwrapResourceBody(req.body, 'notification_settings'));
    if (!parsed.ok) throw new ValidationError(parsed.issues);
    res.json({ notification_settings: await deps.settings.put(repOf(req), parsed.value, now()) });
  });

  return router;
}
