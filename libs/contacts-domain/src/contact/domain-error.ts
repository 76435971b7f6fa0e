/**
 * Why a command was refused. `code` is stable (services switch on it); `message` is safe to
 * show a client. Suggested HTTP mapping: not_found 404, already_exists 409,
 * contact_discarded 409, forbidden_field 422, owner_required 422.
 */
export type DomainError =
  /** Absent, or outside the actor's scope: the two must look the same. */
  | { code: 'not_found'; message: string }
  /** A create for an id that already has events (a retried or colliding allocation). */
  | { code: 'already_exists'; message: string }
  /** An update of a discarded contact; restore it first. */
  | { code: 'contact_discarded'; message: string }
  /** A field the actor's scope may not set: `user_id` for a rep, `origin` outside company create. */
  | { code: 'forbidden_field'; field: 'user_id' | 'origin'; message: string }
  /** A company create that does not name the owning rep. */
  | { code: 'owner_required'; field: 'user_id'; message: string };

export type DomainErrorCode = DomainError['code'];

export const domainErrors = {
  notFound: (): DomainError => ({ code: 'not_found', message: 'Contact not found' }),
  alreadyExists: (): DomainError => ({
    code: 'already_exists',
    message: 'A contact with this id already exists',
  }),
  contactDiscarded: (): DomainError => ({
    code: 'contact_discarded',
    message: 'The contact is discarded; restore it before changing it',
  }),
  forbiddenField: (field: 'user_id' | 'origin'): DomainError => ({
    code: 'forbidden_field',
    field,
    message: `${field} is read-only`,
  }),
  ownerRequired: (): DomainError => ({
    code: 'owner_required',
    field: 'user_id',
    message: 'user_id is required: a contact always belongs to a rep',
  }),
};
