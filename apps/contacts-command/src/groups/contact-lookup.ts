import type { ContactEvent } from '@reps/contracts';
import { evolveAll, isVisibleTo, type Actor, type ContactEligibility } from '@reps/contacts-domain';
import type { EventStore } from '../event-store/mongo-event-store';
import { contactStream } from '../contacts/contact-envelope';

/** Streams read at once: `_id` lookups are cheap, but FerretDB has a connection pool to share. */
const PARALLEL = 16;

export type ContactLookup = (
  actor: Actor,
  contactIds: readonly number[],
) => Promise<Map<number, ContactEligibility>>;

/**
 * Which of the given contacts the actor may put in a group, from the contact streams themselves
 * (the command side's own truth, read by `_id`): their own and live, their own but discarded, or
 * not theirs to use (absent, another rep's, another tenant's — indistinguishable).
 */
export function createContactLookup(contacts: EventStore<ContactEvent>): ContactLookup {
  return async (actor, contactIds) => {
    const unique = [...new Set(contactIds)];
    const found = new Map<number, ContactEligibility>();
    for (let i = 0; i < unique.length; i += PARALLEL) {
      const slice = unique.slice(i, i + PARALLEL);
      const states = await Promise.all(
        slice.map(async (id) => evolveAll((await contacts.readStream(contactStream(id))).events)),
      );
      slice.forEach((id, index) => {
        const state = states[index];
        // A rep's group holds only their own contacts, so only a user actor can own one.
        if (!state || actor.scope !== 'user' || !isVisibleTo(state, actor)) found.set(id, 'not_found');
        else found.set(id, state.discarded_at === null ? 'eligible' : 'discarded');
      });
    }
    return found;
  };
}
