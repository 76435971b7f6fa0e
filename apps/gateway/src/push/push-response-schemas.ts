import { z } from 'zod';
import { NotificationSettings, PUSH_SUBSCRIPTIONS_MAX, PushSubscriptionResource } from '@reps/contracts';

/** The response envelopes of the notifier's operations (documentation only: the gateway relays bodies as they are). */

export const PushSubscriptionResponse = z
  .object({ push_subscription: PushSubscriptionResource })
  .meta({ title: 'PushSubscriptionResponse' });

export const PushSubscriptionListResponse = z
  .object({
    push_subscriptions: z.array(PushSubscriptionResource).max(PUSH_SUBSCRIPTIONS_MAX),
    meta: z.object({
      pagination: z.object({
        limit: z.int().min(1).max(100),
        next_cursor: z
          .null()
          .meta({ description: `Always null: a rep has at most ${PUSH_SUBSCRIPTIONS_MAX} subscriptions` }),
      }),
      request_id: z.string(),
    }),
  })
  .meta({ title: 'PushSubscriptionListResponse' });

export const VapidPublicKeyResponse = z
  .object({
    vapid_public_key: z.string().meta({
      description:
        'The application server key for `pushManager.subscribe({applicationServerKey})` (base64url, uncompressed P-256)',
    }),
  })
  .meta({ title: 'VapidPublicKeyResponse' });

export const NotificationSettingsResponse = z
  .object({ notification_settings: NotificationSettings })
  .meta({ title: 'NotificationSettingsResponse' });
