import type { ApplyResult } from '@reps/contacts-read-model';

export type VersionedDoc = { _id: string; _v: number };
export type VersionedEvent = { id: string; type: string; aggregate_version: number };

/**
 * How a topic's events fold into their documents. `S` is the shape the fold works on between a
 * batch's events: the document itself, or something cheaper to evolve (a group's member set),
 * read from the stored document once per batch and written back once.
 */
export interface VersionedDocFold<E extends VersionedEvent, D extends VersionedDoc, S = D> {
  docIdOf(event: E): string;
  fromDoc(doc: D): S;
  toDoc(state: S): D;
  versionOf(state: S): number;
  /** The event's effect on the state (null: none yet), asked only for the state's next version. */
  apply(state: S | null, event: E): ApplyResult<S>;
}

/** The fold of a model whose state is its stored document. */
export function documentFold<E extends VersionedEvent, D extends VersionedDoc>(fold: {
  docIdOf(event: E): string;
  apply(doc: D | null, event: E): ApplyResult<D>;
}): VersionedDocFold<E, D, D> {
  return { ...fold, fromDoc: (doc) => doc, toDoc: (doc) => doc, versionOf: (doc) => doc._v };
}

/** Adapts an evolve that throws on an event its stream cannot take: the throw is a rejection. */
export function rejectingThrows<E, S>(
  evolve: (state: S | null, event: E) => S,
): (state: S | null, event: E) => ApplyResult<S> {
  return (state, event) => {
    try {
      return { kind: 'next', doc: evolve(state, event) };
    } catch (error) {
      return { kind: 'rejected', detail: error instanceof Error ? error.message : String(error) };
    }
  };
}

/** An insert for a document not stored yet, or a replace of the version it was read at. */
export type VersionedWrite<D> =
  | { kind: 'insert'; doc: D; eventIds: string[] }
  | { kind: 'replace'; doc: D; expectedVersion: number; eventIds: string[] };

export interface VersionedFoldResult<E, D> {
  writes: VersionedWrite<D>[];
  /** Event ids skipped because the document already has them (redelivery, replay). */
  duplicates: string[];
  gaps: { docId: string; eventId: string; expected: number; received: number }[];
  rejected: { event: E; detail: string }[];
}

/**
 * Pure: given the stored documents and a batch of events in partition order, what to write. An
 * event applies only as its document's next version; older ones are duplicates, newer ones gaps
 * (never applied out of order), so the result is the same whatever was redelivered.
 */
export function foldVersionedEvents<E extends VersionedEvent, D extends VersionedDoc, S>(
  events: readonly E[],
  current: ReadonlyMap<string, D>,
  fold: VersionedDocFold<E, D, S>,
): VersionedFoldResult<E, D> {
  const slots = new Map<string, { original: D | null; state: S | null; eventIds: string[] }>();
  const result: VersionedFoldResult<E, D> = { writes: [], duplicates: [], gaps: [], rejected: [] };
  for (const event of events) {
    const docId = fold.docIdOf(event);
    let slot = slots.get(docId);
    if (!slot) {
      const original = current.get(docId) ?? null;
      slot = { original, state: original ? fold.fromDoc(original) : null, eventIds: [] };
      slots.set(docId, slot);
    }
    const version = slot.state === null ? 0 : fold.versionOf(slot.state);
    if (event.aggregate_version <= version) {
      result.duplicates.push(event.id);
      continue;
    }
    if (event.aggregate_version > version + 1) {
      result.gaps.push({
        docId,
        eventId: event.id,
        expected: version + 1,
        received: event.aggregate_version,
      });
      continue;
    }
    const applied = fold.apply(slot.state, event);
    if (applied.kind === 'next') {
      slot.state = applied.doc;
      slot.eventIds.push(event.id);
    } else if (applied.kind === 'rejected') result.rejected.push({ event, detail: applied.detail });
    // 'duplicate' and 'gap' cannot follow the version check above.
  }
  for (const slot of slots.values()) {
    if (slot.eventIds.length === 0 || slot.state === null) continue;
    const doc = fold.toDoc(slot.state);
    result.writes.push(
      slot.original === null
        ? { kind: 'insert', doc, eventIds: slot.eventIds }
        : { kind: 'replace', doc, expectedVersion: slot.original._v, eventIds: slot.eventIds },
    );
  }
  return result;
}
