/**
 * Why a SmartLink command was refused; `code` is stable. Suggested HTTP mapping: not_found 404,
 * already_exists 409, invalid_target and invalid_contact 422 (with the field named).
 */
export type SmartlinkDomainError =
  /** Absent, revoked (for the public routes), or another rep's link: indistinguishable. */
  | { code: 'not_found'; message: string }
  | { code: 'already_exists'; message: string }
  | { code: 'invalid_target'; message: string; field: 'url' }
  | { code: 'invalid_contact'; message: string; field: 'contact_id' };

export const smartlinkErrors = {
  notFound: (): SmartlinkDomainError => ({ code: 'not_found', message: 'SmartLink not found' }),
  alreadyExists: (): SmartlinkDomainError => ({
    code: 'already_exists',
    message: 'A SmartLink with this id already exists',
  }),
  invalidTarget: (reason: string): SmartlinkDomainError => ({
    code: 'invalid_target',
    message: reason,
    field: 'url',
  }),
  invalidContact: (): SmartlinkDomainError => ({
    code: 'invalid_contact',
    message: 'must be one of your contacts (not discarded)',
    field: 'contact_id',
  }),
};
