import {
  SmartlinkEvent,
  type ActivityItem,
  type SmartlinkActivityType,
  type ShareableType,
} from '@reps/contracts';
import { activitySource } from '../activity-source';

const VERB: Record<SmartlinkActivityType, string> = {
  viewed: 'Viewed',
  added_to_cart: 'Added to cart',
  purchased: 'Purchased',
  enrolled: 'Enrolled',
  played: 'Played',
  subscribed: 'Subscribed',
  signed_up: 'Signed up',
};

/** What a link shares, as a sentence names it: its name, else "a product", "an enrollment", … */
export function sharedThing(name: string | null | undefined, type: ShareableType | undefined): string {
  if (name) return name;
  if (!type) return 'a shared item';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export function activitySummary(
  type: SmartlinkActivityType,
  item: ActivityItem | null,
  shared: { name?: string | null; type?: ShareableType },
): string {
  return `${VERB[type]}: ${item?.name ?? sharedThing(shared.name, shared.type)}`;
}

/** `crm.smartlinks.v1` on the timeline: what the rep shared and what the contact did with it. */
export const smartlinkActivities = activitySource('smartlinks', SmartlinkEvent, {
  'smartlink.created': (event) => ({
    contact_id: event.data.contact_id,
    summary: `Was sent a link to ${sharedThing(event.data.shareable_name, event.data.shareable_type)}`,
    data: {
      smartlink_id: event.aggregate_id,
      shareable_type: event.data.shareable_type,
      shareable_id: event.data.shareable_id,
      shareable_name: event.data.shareable_name ?? null,
    },
  }),
  'smartlink.revoked': (event) => ({
    contact_id: event.data.contact_id,
    summary: 'A shared link was revoked',
    data: { smartlink_id: event.aggregate_id },
  }),
  'smartlink.opened': (event) => ({
    contact_id: event.data.contact_id,
    occurred_at: event.data.occurred_at,
    summary: `Opened the link to ${sharedThing(event.data.shareable_name, event.data.shareable_type)}`,
    data: {
      smartlink_id: event.aggregate_id,
      shareable_type: event.data.shareable_type ?? null,
      shareable_name: event.data.shareable_name ?? null,
    },
  }),
  'smartlink.activity_recorded': (event) => ({
    contact_id: event.data.contact_id,
    occurred_at: event.data.occurred_at,
    summary: activitySummary(event.data.type, event.data.item, {
      name: event.data.shareable_name,
      type: event.data.shareable_type,
    }),
    data: {
      smartlink_id: event.aggregate_id,
      activity: event.data.type,
      item: event.data.item,
      properties: event.data.properties,
    },
  }),
});
