import { z } from 'zod';
import {
  NotificationSettingsBody,
  PUSH_SUBSCRIPTIONS_MAX,
  PushSubscriptionCreateBody,
} from '@reps/contracts';
import type { ApiOperation } from '../contacts/contact-operations';

// Statuses every /api operation can answer, and those of a request that may carry a body.
const COMMON = [400, 401, 403, 429, 503];
const BODY = [413, 415];

const TAG = 'User notifications';
/** None of these lists takes parameters (at most 20 subscriptions: no pages). */
const NO_QUERY = z.object({});

/**
 * The notifier's public operations (DESIGN §6): user scope only — a company token is a 403.
 * The gateway authenticates, limits and validates bodies at the edge, then forwards to the
 * notifier, which owns the data and checks the token again.
 */
export const PUSH_OPERATIONS: readonly ApiOperation[] = [
  {
    operationId: 'userGetVapidPublicKey',
    scope: 'user',
    method: 'GET',
    path: '/push_subscriptions/vapid_public_key',
    upstream: 'notifier',
    kind: 'get',
    tag: TAG,
    summary: 'Get the VAPID public key',
    description: "The key a browser needs to subscribe to this server's pushes (`applicationServerKey`).",
    response: { schemaName: 'VapidPublicKeyResponse', description: 'The key' },
    success: 200,
    statuses: [200, ...COMMON],
    headers: [],
  },
  {
    operationId: 'userListPushSubscriptions',
    scope: 'user',
    method: 'GET',
    path: '/push_subscriptions',
    upstream: 'notifier',
    kind: 'list',
    tag: TAG,
    summary: "List the rep's push subscriptions",
    description: `The rep's devices (at most ${PUSH_SUBSCRIPTIONS_MAX}, one page). Their keys are never echoed back. Any query parameter is a 400.`,
    query: NO_QUERY,
    response: { schemaName: 'PushSubscriptionListResponse', description: 'The subscriptions' },
    success: 200,
    statuses: [200, ...COMMON],
    headers: [],
  },
  {
    operationId: 'userCreatePushSubscription',
    scope: 'user',
    method: 'POST',
    path: '/push_subscriptions',
    upstream: 'notifier',
    kind: 'create',
    tag: TAG,
    summary: 'Subscribe a device to pushes',
    description: `The browser's \`PushSubscription.toJSON()\` plus an optional \`label\`. The endpoint must be https and resolve only to public addresses (no loopback, private, link-local or metadata address): otherwise a 422 on \`endpoint\`. The same endpoint again refreshes its keys (200); a new one is a 201; past ${PUSH_SUBSCRIPTIONS_MAX} per rep a 409 \`push_subscriptions_limit\`.`,
    body: {
      schemaName: 'PushSubscriptionCreateBody',
      schema: PushSubscriptionCreateBody,
      wrapped: true,
      wrapper: 'push_subscription',
    },
    bodyDescription: 'The subscription, bare or wrapped as `{"push_subscription": {...}}`',
    response: { schemaName: 'PushSubscriptionResponse', description: 'Created (201) or refreshed (200)' },
    success: 201,
    statuses: [200, 201, ...COMMON, ...BODY, 409, 422],
    headers: [],
  },
  {
    operationId: 'userDeletePushSubscription',
    scope: 'user',
    method: 'DELETE',
    path: '/push_subscriptions/:id',
    upstream: 'notifier',
    kind: 'delete',
    tag: TAG,
    summary: 'Unsubscribe a device',
    description: "Another rep's subscription is a 404, exactly like one that does not exist.",
    pathParams: { id: 'The push subscription id' },
    response: null,
    success: 204,
    statuses: [204, ...COMMON, 404],
    headers: [],
  },
  {
    operationId: 'userGetNotificationSettings',
    scope: 'user',
    method: 'GET',
    path: '/notification_settings',
    upstream: 'notifier',
    kind: 'get',
    tag: TAG,
    summary: "Get the rep's notification settings",
    description:
      'SmartLink activity and task reminders on/off, the time zone and quiet hours; the defaults until the rep changes them.',
    response: { schemaName: 'NotificationSettingsResponse', description: 'The settings' },
    success: 200,
    statuses: [200, ...COMMON],
    headers: [],
  },
  {
    operationId: 'userPutNotificationSettings',
    scope: 'user',
    method: 'PUT',
    path: '/notification_settings',
    upstream: 'notifier',
    kind: 'update',
    tag: TAG,
    summary: "Replace the rep's notification settings",
    description:
      'A replace: an omitted field takes its default. Pushes due in quiet hours (in `time_zone`) wait until they end and go out coalesced.',
    body: {
      schemaName: 'NotificationSettingsBody',
      schema: NotificationSettingsBody,
      wrapped: true,
      wrapper: 'notification_settings',
    },
    bodyDescription: 'The settings, bare or wrapped as `{"notification_settings": {...}}`',
    response: { schemaName: 'NotificationSettingsResponse', description: 'The settings now in force' },
    success: 200,
    statuses: [200, ...COMMON, ...BODY, 422],
    headers: [],
  },
];
