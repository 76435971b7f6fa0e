import type { ContactEvent } from '@reps/contracts';
import { evolve, type ContactState } from '@reps/contacts-domain';
import type { ContactReadDoc, ReadModelScope } from '@reps/contacts-read-model';
import { docFromState, docIdOf, stateFromDoc } from './read-model-state';

/** The documents a batch may touch, per read model, by `_id`; a missing entry means "absent". */
export type CurrentDocs = Record<ReadModelScope, ReadonlyMap<string, ContactReadDoc>>;

/**
 * One write per touched document: `insert` for a document that did not exist, `replace` guarded
 * by the version it was read at, so a concurrent writer (a consumer that lost its partition but
 * has not noticed yet) can never be overwritten with an older state.
 */
export type ReadModelWrite =
  | { scope: ReadModelScope; kind: 'insert'; doc: ContactReadDoc; eventIds: string[] }
  | { scope: ReadModelScope; kind: 'replace'; doc: ContactReadDoc; expectedVersion: number; eventIds: string[] };

export interface Gap {
  scope: ReadModelScope;
  docId: string;
  eventId: string;
  /** The version the document is at, plus one. */
  expected: number;
  received: number;
}

export interface ProjectionResult {
  writes: ReadModelWrite[];
  /** Event ids skipped because the document already has them (redelivery, replay). */
  duplicates: Record<ReadModelScope, string[]>;
  gaps: Gap[];
  /** Valid by schema but impossible to apply (e.g. an update to a contact that was never created). */
  rejected: { event: ContactEvent; detail: string }[];
}

/** The read models an event belongs in: every contact in the user model; the company model only for company-visible ones. */
export function scopesOf(event: ContactEvent): ReadModelScope[] {
  return event.company_visible ? ['user', 'company'] : ['user'];
}

interface Slot {
  scope: ReadModelScope;
  original: ContactReadDoc | null;
  state: ContactState | null;
  /** The document after the events applied so far: one per event, so each state's sort keys enter `_prior`. */
  doc: ContactReadDoc | null;
  eventIds: string[];
}

/**
 * The heart of the projection, pure: given the current documents and a batch of events in
 * partition order, what to write. An event applies only when it is the document's next version;
 * older ones are duplicates (skipped, so redelivery and replay change nothing); newer ones are
 * gaps (counted and reported, never applied out of order). Several events of one contact in a
 * batch fold into one write.
 */
export function projectContactEvents(events: readonly ContactEvent[], current: CurrentDocs): ProjectionResult {
  const slots = new Map<string, Slot>();
  const duplicates: Record<ReadModelScope, string[]> = { user: [], company: [] };
  const gaps: Gap[] = [];
  const rejected = new Map<string, { event: ContactEvent; detail: string }>();

  for (const event of events) {
    const docId = docIdOf(event);
    for (const scope of scopesOf(event)) {
      const key = `${scope}|${docId}`;
      let slot = slots.get(key);
      if (!slot) {
        const original = current[scope].get(docId) ?? null;
        slot = { scope, original, state: original ? stateFromDoc(original) : null, doc: original, eventIds: [] };
        slots.set(key, slot);
      }
      const version = slot.state?.version ?? 0;
      if (event.aggregate_version <= version) {
        duplicates[scope].push(event.id);
        continue;
      }
      if (event.aggregate_version > version + 1) {
        gaps.push({ scope, docId, eventId: event.id, expected: version + 1, received: event.aggregate_version });
        continue;
      }
      try {
        const state = evolve(slot.state, event);
        slot.doc = docFromState(state, slot.doc);
        slot.state = state;
        slot.eventIds.push(event.id);
      } catch (error) {
        rejected.set(event.id, { event, detail: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  const writes: ReadModelWrite[] = [];
  for (const slot of slots.values()) {
    const doc = slot.doc;
    if (slot.eventIds.length === 0 || doc === null) continue;
    writes.push(
      slot.original === null
        ? { scope: slot.scope, kind: 'insert', doc, eventIds: slot.eventIds }
        : { scope: slot.scope, kind: 'replace', doc, expectedVersion: slot.original._v, eventIds: slot.eventIds },
    );
  }
  return { writes, duplicates, gaps, rejected: [...rejected.values()] };
}
