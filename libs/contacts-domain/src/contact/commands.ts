import type { ContactCreateBody, ContactUpdateBody } from '@reps/contracts';
import type { Actor } from './actor';

interface ContactCommandBase {
  contactId: number;
  actor: Actor;
  /** ISO-8601 instant supplied by the caller: the domain never reads a clock. */
  now: string;
}

/** The body is the one parsed for the actor's scope (`UserContactCreateBody` or `CompanyContactCreateBody`). */
export interface CreateContact extends ContactCommandBase {
  type: 'CreateContact';
  /** Allocated by the caller, like `contactId`: the domain has no randomness. */
  token: string;
  body: ContactCreateBody;
}

/** The body is the one parsed for the actor's scope; absent fields stay as they are. */
export interface UpdateContact extends ContactCommandBase {
  type: 'UpdateContact';
  body: ContactUpdateBody;
}

export interface DiscardContact extends ContactCommandBase {
  type: 'DiscardContact';
}

export interface RestoreContact extends ContactCommandBase {
  type: 'RestoreContact';
}

export type ContactCommand = CreateContact | UpdateContact | DiscardContact | RestoreContact;
