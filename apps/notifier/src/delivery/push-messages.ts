import { DateTime } from 'luxon';
import { PUSH_PAYLOAD_MAX_BYTES, type PushPayload, type QuietHours } from '@reps/contracts';

/**
 * Pure: what a push says, and when quiet hours let it go. No I/O, no clock (callers pass `now`).
 */

/** One SmartLink event waiting in a (rep, contact) burst. */
export interface BurstEntry {
  event_type: 'smartlink.opened' | 'smartlink.activity_recorded';
  activity: string | null;
  item_name: string | null;
  occurred_at: string;
  received_at: string;
}

const BODY_MAX_CHARS = 1000;
const FALLBACK_NAME = 'A contact';

/** "<name> viewed Collagen Boost" / "added Collagen Boost to the cart" / "opened your link". */
function describe(entry: BurstEntry): string {
  if (entry.event_type === 'smartlink.opened')
    return entry.item_name ? `opened ${entry.item_name}` : 'opened your link';
  const item = entry.item_name ?? 'an item';
  switch (entry.activity) {
    case 'added_to_cart':
      return `added ${item} to the cart`;
    case 'enrolled':
      return `enrolled in ${item}`;
    case 'subscribed':
      return `subscribed to ${item}`;
    case 'signed_up':
      return `signed up for ${item}`;
    case 'viewed':
    case 'purchased':
    case 'played':
      return `${entry.activity} ${item}`;
    default:
      return `${entry.activity ?? 'acted on'} ${item}`;
  }
}

const VERB_OF_MANY: Record<string, string> = {
  viewed: 'viewed',
  purchased: 'purchased',
  played: 'played',
  added_to_cart: 'added to the cart',
  enrolled: 'enrolled in',
  subscribed: 'subscribed to',
  signed_up: 'signed up for',
};

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Keeps the payload within the Web Push budget (3 KB of JSON) by shortening the body. */
function fitPayload(payload: PushPayload): PushPayload {
  let fitted = payload;
  while (
    Buffer.byteLength(JSON.stringify(fitted), 'utf8') > PUSH_PAYLOAD_MAX_BYTES &&
    fitted.body.length > 1
  ) {
    fitted = { ...fitted, body: clip(fitted.body, Math.floor(fitted.body.length * 0.8)) };
  }
  return fitted;
}

/** The sentence for a burst: one event as it is, several counted ("viewed 3 items: a, b, …"). */
export function burstBody(name: string, entries: BurstEntry[]): string {
  const sorted = [...entries].sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
  if (sorted.length === 1) return clip(`${name} ${describe(sorted[0]!)}`, BODY_MAX_CHARS);
  const activities = sorted.filter((entry) => entry.event_type === 'smartlink.activity_recorded');
  const opens = sorted.length - activities.length;
  const kinds = new Set(activities.map((entry) => entry.activity));
  let text: string;
  if (activities.length === sorted.length && kinds.size === 1) {
    const verb = VERB_OF_MANY[[...kinds][0] ?? ''] ?? 'acted on';
    const items = [...new Set(activities.map((entry) => entry.item_name ?? 'an item'))];
    text = `${name} ${verb} ${activities.length} items: ${items.join(', ')}`;
  } else if (activities.length === 0) {
    text = `${name} opened your links ${opens} times`;
  } else {
    text = `${name}: ${sorted.length} activities — ${sorted.map(describe).join(', ')}`;
  }
  return clip(text, BODY_MAX_CHARS);
}

export function smartlinkPush(params: {
  contactId: number;
  contactName: string | null;
  entries: BurstEntry[];
  appBaseUrl: string;
}): PushPayload {
  const newest = params.entries.reduce(
    (max, entry) => (entry.occurred_at > max ? entry.occurred_at : max),
    params.entries[0]?.occurred_at ?? '',
  );
  return fitPayload({
    title: 'SmartLink activity',
    body: burstBody(params.contactName ?? FALLBACK_NAME, params.entries),
    url: `${params.appBaseUrl.replace(/\/+$/, '')}/contacts/${params.contactId}`,
    contact_id: params.contactId,
    kind: 'smartlink_activity',
    ts: new Date(newest).toISOString(),
  });
}

/** The rate limit's overflow for one rep: several contacts' bursts in one push. */
export function digestPush(params: {
  contacts: { contactId: number; contactName: string | null; entries: BurstEntry[] }[];
  appBaseUrl: string;
}): PushPayload {
  const base = params.appBaseUrl.replace(/\/+$/, '');
  const all = params.contacts.flatMap((contact) => contact.entries);
  const newest = all.reduce(
    (max, entry) => (entry.occurred_at > max ? entry.occurred_at : max),
    all[0]?.occurred_at ?? '',
  );
  const only = params.contacts.length === 1 ? params.contacts[0] : undefined;
  const sentences = params.contacts.map((contact) =>
    burstBody(contact.contactName ?? FALLBACK_NAME, contact.entries),
  );
  return fitPayload({
    title: 'SmartLink activity',
    body: clip(
      only ? sentences[0]! : `${params.contacts.length} contacts were active — ${sentences.join('; ')}`,
      BODY_MAX_CHARS,
    ),
    url: only ? `${base}/contacts/${only.contactId}` : `${base}/activities`,
    contact_id: only?.contactId ?? null,
    kind: 'smartlink_activity',
    ts: new Date(newest).toISOString(),
  });
}

export function reminderPush(params: {
  taskId: number;
  body: string;
  dueAt: string;
  contactId: number | null;
  contactName: string | null;
  appBaseUrl: string;
}): PushPayload {
  const base = params.appBaseUrl.replace(/\/+$/, '');
  const about = params.contactId !== null ? ` (${params.contactName ?? FALLBACK_NAME})` : '';
  return fitPayload({
    title: 'Task due',
    body: clip(`${params.body}${about}`, BODY_MAX_CHARS),
    url:
      params.contactId !== null ? `${base}/contacts/${params.contactId}` : `${base}/tasks/${params.taskId}`,
    contact_id: params.contactId,
    kind: 'task_reminder',
    ts: new Date(params.dueAt).toISOString(),
  });
}

/**
 * When quiet hours end, if `now` falls in them (in the rep's zone), else null. A window whose
 * end is before its start runs past midnight (21:00–07:00). Wall-clock times that a DST change
 * skips or repeats resolve the way luxon does (forward into the new offset).
 */
export function quietHoursEnd(now: Date, timeZone: string, quiet: QuietHours | null): Date | null {
  if (!quiet) return null;
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  const [startHour, startMinute] = quiet.start.split(':').map(Number) as [number, number];
  const [endHour, endMinute] = quiet.end.split(':').map(Number) as [number, number];
  const minutes = local.hour * 60 + local.minute;
  const start = startHour * 60 + startMinute;
  const end = endHour * 60 + endMinute;
  const inside = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (!inside) return null;
  let endsAt = local.set({ hour: endHour, minute: endMinute, second: 0, millisecond: 0 });
  if (endsAt <= local) endsAt = endsAt.plus({ days: 1 });
  return endsAt.toJSDate();
}
