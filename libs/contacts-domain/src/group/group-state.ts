import type { Group } from '@reps/contracts';

/**
 * A group as the command side knows it, rebuilt from its events; `null` is a group that never
 * existed. A deleted group keeps its state (with `deleted_at`) so its stream stays closed: a hard
 * delete to its rep, who can never see or change it again.
 */
export interface GroupState {
  id: number;
  tenant_company_id: number;
  /** The rep who owns the group; only they see it. */
  user_id: number;
  name: string;
  description: string | null;
  /** Contact ids in the group (whatever their state now: discarded members stay members). */
  members: ReadonlySet<number>;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  /** Number of events applied: the stream position an update must expect. */
  version: number;
}

/** The public resource; `contactsCount` is the number of members that are live contacts of the rep. */
export function toGroupResource(state: GroupState, contactsCount: number): Group {
  return {
    id: state.id,
    name: state.name,
    description: state.description,
    contacts_count: contactsCount,
    created_at: state.created_at,
    updated_at: state.updated_at,
  };
}
