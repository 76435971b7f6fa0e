import type { ContactEvent } from '@reps/contracts';
import { toContactResource, type ContactState } from '@reps/contacts-domain';
import { derivedFields, nextPriorSortKeys, readModelId, type ContactReadDoc } from '@reps/contacts-read-model';

/** The aggregate state a read-model document stands for (what `evolve` continues from). */
export function stateFromDoc(doc: ContactReadDoc): ContactState {
  const {
    _id, _v, _discarded, _c, _u, _ln, _search, _phone, _prior, full_name: _fullName, group_ids: _groupIds, ...fields
  } = doc;
  return { ...fields, version: _v };
}

/**
 * The document for a state, following `previous` (the document of the state before it, if any).
 * Group membership is not part of the contact stream: contacts-query derives `group_ids` from the
 * groups read model when it reads (see `GroupReadDoc`), so the stored field stays as it was (empty).
 */
export function docFromState(state: ContactState, previous: ContactReadDoc | null): ContactReadDoc {
  const resource = { ...toContactResource(state), group_ids: previous?.group_ids ?? [] };
  const derived = derivedFields(resource);
  return {
    _id: readModelId(state.tenant_company_id, state.id),
    _v: state.version,
    tenant_company_id: state.tenant_company_id,
    company_visible: state.company_visible,
    ...resource,
    ...derived,
    _prior: nextPriorSortKeys(previous, derived),
  };
}

/** The read-model document id an event belongs to (the envelope carries the tenant). */
export function docIdOf(event: ContactEvent): string {
  return readModelId(event.company_id, event.aggregate_id);
}
