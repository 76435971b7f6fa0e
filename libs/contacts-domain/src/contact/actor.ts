import type { ContactState } from './contact-state';

/** A rep calling the user API. */
export interface UserActor {
  scope: 'user';
  userId: number;
  companyId: number;
}

/** A company calling the company API (back office or website). */
export interface CompanyActor {
  scope: 'company';
  companyId: number;
}

export type Actor = UserActor | CompanyActor;

/**
 * The scope rule, in one place for the command and the read side: a rep sees the contacts
 * they own in their company; a company sees only the contacts of its tenant that came from
 * its API or website — never a contact a rep created in the app. Everything else is
 * indistinguishable from a contact that does not exist.
 */
export function isVisibleTo(state: ContactState, actor: Actor): boolean {
  if (state.tenant_company_id !== actor.companyId) return false;
  return actor.scope === 'user' ? state.user_id === actor.userId : state.company_visible;
}
