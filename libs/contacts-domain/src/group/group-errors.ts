/**
 * Why a group command was refused; `code` is stable, `message` safe to show. Suggested HTTP
 * mapping: not_found 404, already_exists 409. (A taken name is caught by the command service,
 * which owns the per-rep name index: uniqueness across groups is not one aggregate's to decide.)
 */
export type GroupDomainError =
  /** Absent, deleted, or another rep's group: the three must look the same. */
  | { code: 'not_found'; message: string }
  /** A create for an id that already has events (a retried or colliding allocation). */
  | { code: 'already_exists'; message: string };

export type GroupDomainErrorCode = GroupDomainError['code'];

export const groupErrors = {
  notFound: (): GroupDomainError => ({ code: 'not_found', message: 'Group not found' }),
  alreadyExists: (): GroupDomainError => ({
    code: 'already_exists',
    message: 'A group with this id already exists',
  }),
};
