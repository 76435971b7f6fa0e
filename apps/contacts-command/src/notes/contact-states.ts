import type { ContactEvent } from '@reps/contracts';
import { evolveAll, type ContactState } from '@reps/contacts-domain';
import type { EventStore } from '../event-store/mongo-event-store';
import { contactStream } from '../contacts/contact-envelope';

/** A contact as its own stream says now (null: none), read by `_id` lookups: the command side's own truth. */
export type ContactStateReader = (contactId: number) => Promise<ContactState | null>;

export function createContactStateReader(contacts: EventStore<ContactEvent>): ContactStateReader {
  return async (contactId) => evolveAll((await contacts.readStream(contactStream(contactId))).events);
}
