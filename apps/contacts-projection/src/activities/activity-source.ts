import { activitySortKey, type ActivityReadDoc } from '@reps/contacts-read-model';

/** What the envelope of any topic gives an entry (DESIGN §3). */
export interface SourceEvent {
  id: string;
  type: string;
  occurred_at: string;
  company_id: number;
  user_id: number | null;
  company_visible: boolean;
}

/** One timeline entry an event makes, before it becomes a document. */
export interface ActivityDraft {
  contact_id: number;
  /** Whose feed shows it (default: the envelope's `user_id`). */
  user_id?: number;
  /** Whether a company may see it (default: the envelope's `company_visible`). */
  company_visible?: boolean;
  /** When it happened, if not the event's own time (e.g. a beacon's `occurred_at`). */
  occurred_at?: string;
  summary: string;
  data: Record<string, unknown>;
}

/** An event type's entry builder: pure, `(event) → entries` (none: the event is not on any timeline). */
export type EntryBuilder<E> = (event: E) => ActivityDraft | ActivityDraft[] | null;

/**
 * How one topic feeds the timeline: how to read its messages, and a builder per event type that
 * has entries (types without one have none). Adding a topic is one such object in its own file and
 * one line where the projection lists its sources.
 */
export interface ActivitySource {
  name: string;
  /** An event of this topic, or null for a message its own projection dead-letters (never an entry). */
  decode(value: Buffer | null): SourceEvent | null;
  entriesOf(event: SourceEvent): ActivityReadDoc[];
}

type Builders<E extends SourceEvent> = { [T in E['type']]?: EntryBuilder<Extract<E, { type: T }>> };

export function activitySource<E extends SourceEvent>(
  name: string,
  schema: { safeParse(value: unknown): { success: true; data: E } | { success: false } },
  builders: Builders<E>,
): ActivitySource {
  return {
    name,
    decode(value) {
      if (value === null) return null;
      try {
        const parsed = schema.safeParse(JSON.parse(value.toString('utf8')));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },
    entriesOf(event) {
      const builder = (builders as Record<string, EntryBuilder<SourceEvent> | undefined>)[event.type];
      const built = builder ? builder(event) : null;
      const drafts = built === null ? [] : Array.isArray(built) ? built : [built];
      return drafts.map((draft) => toDoc(event, draft, drafts.length > 1));
    },
  };
}

function toDoc(event: SourceEvent, draft: ActivityDraft, several: boolean): ActivityReadDoc {
  const occurredAt = draft.occurred_at ?? event.occurred_at;
  const userId = draft.user_id ?? event.user_id;
  if (userId === null) throw new Error(`${event.type} ${event.id} has no rep to show it to`);
  return {
    _id: several ? `${event.id}:${draft.contact_id}` : event.id,
    _o: activitySortKey(occurredAt),
    id: event.id,
    tenant_company_id: event.company_id,
    user_id: userId,
    contact_id: draft.contact_id,
    company_visible: draft.company_visible ?? event.company_visible,
    type: event.type,
    occurred_at: occurredAt,
    summary: draft.summary,
    data: draft.data,
  };
}
