import type { SmartlinkEvent } from '@reps/contracts';
import { smartlinkReadId, type SmartlinkReadDoc } from '@reps/contacts-read-model';
import {
  documentFold,
  foldVersionedEvents,
  rejectingThrows,
  type VersionedFoldResult,
  type VersionedWrite,
} from '../projection/versioned-doc-fold';

export type SmartlinkWrite = VersionedWrite<SmartlinkReadDoc>;
export type SmartlinkProjectionResult = VersionedFoldResult<SmartlinkEvent, SmartlinkReadDoc>;

export const smartlinkDocIdOf = (event: SmartlinkEvent): string =>
  smartlinkReadId(event.company_id, event.aggregate_id);

/** Applies one event to the read document: opens and activities count, revocation stamps. */
export function applySmartlinkEvent(doc: SmartlinkReadDoc | null, event: SmartlinkEvent): SmartlinkReadDoc {
  const _v = event.aggregate_version;
  if (event.type === 'smartlink.created') {
    const { data } = event;
    return {
      _id: smartlinkDocIdOf(event),
      _v,
      id: data.id,
      tenant_company_id: event.company_id,
      user_id: event.user_id,
      contact_id: data.contact_id,
      company_visible: event.company_visible,
      shareable_type: data.shareable_type,
      shareable_id: data.shareable_id,
      shareable_name: data.shareable_name ?? null,
      url: data.url,
      opens_count: 0,
      last_opened_at: null,
      activities_count: 0,
      revoked_at: null,
      created_at: data.created_at,
    };
  }
  if (doc === null) throw new Error(`${event.type} before smartlink.created`);
  switch (event.type) {
    case 'smartlink.revoked':
      return { ...doc, _v, revoked_at: event.data.revoked_at };
    case 'smartlink.opened': {
      const at = event.data.occurred_at;
      const latest =
        doc.last_opened_at === null || Date.parse(at) > Date.parse(doc.last_opened_at)
          ? at
          : doc.last_opened_at;
      return { ...doc, _v, opens_count: doc.opens_count + 1, last_opened_at: latest };
    }
    case 'smartlink.activity_recorded':
      return { ...doc, _v, activities_count: doc.activities_count + 1 };
    default: {
      const unreachable: never = event;
      throw new Error(`Unknown SmartLink event ${JSON.stringify(unreachable)}`);
    }
  }
}

export const smartlinkFold = documentFold<SmartlinkEvent, SmartlinkReadDoc>({
  docIdOf: smartlinkDocIdOf,
  apply: rejectingThrows(applySmartlinkEvent),
});

/**
 * Pure, like the group projector: given the stored documents and a batch in partition order, what
 * to write. An event applies only as its document's next version (older: duplicate; newer: gap,
 * never applied out of order), so the counts are exact whatever was redelivered.
 */
export function projectSmartlinkEvents(
  events: readonly SmartlinkEvent[],
  current: ReadonlyMap<string, SmartlinkReadDoc>,
): SmartlinkProjectionResult {
  return foldVersionedEvents(events, current, smartlinkFold);
}
