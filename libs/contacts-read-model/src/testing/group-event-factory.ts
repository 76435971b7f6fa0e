import { randomUUID } from 'node:crypto';
import { GROUP_EVENT_SCHEMA_VERSION, type GroupEvent, type GroupEventData } from '@reps/contracts';

/**
 * Builds valid envelopes for one group stream, numbering versions the way contacts-command does.
 * For tests and benches that feed the projection without going through the command service.
 */
export interface GroupStreamBuilder {
  readonly groupId: number;
  created(name: string, description?: string | null): GroupEvent;
  renamed(name: string, previous: string): GroupEvent;
  added(contactIds: number[]): GroupEvent;
  removed(contactId: number): GroupEvent;
  deleted(): GroupEvent;
}

export function groupStream(options: {
  groupId: number;
  tenant: number;
  owner: number;
  startAt?: Date;
}): GroupStreamBuilder {
  let version = 0;
  let clock = options.startAt?.getTime() ?? Date.UTC(2025, 5, 1, 9, 0, 0);
  const tick = () => {
    clock += 1000;
    return new Date(clock).toISOString();
  };
  const envelope = (event: GroupEventData): GroupEvent => {
    version += 1;
    return {
      id: randomUUID(),
      schema_version: GROUP_EVENT_SCHEMA_VERSION,
      occurred_at: new Date(clock).toISOString(),
      aggregate_id: options.groupId,
      aggregate_version: version,
      company_id: options.tenant,
      user_id: options.owner,
      company_visible: false,
      actor: { scope: 'user', user_id: options.owner, company_id: options.tenant },
      correlation_id: 'test',
      causation_id: null,
      ...event,
    } as GroupEvent;
  };
  return {
    groupId: options.groupId,
    created: (name, description = null) =>
      envelope({
        type: 'group.created',
        data: {
          id: options.groupId,
          tenant_company_id: options.tenant,
          user_id: options.owner,
          name,
          description,
          created_at: tick(),
        },
      }),
    renamed: (name, previous) =>
      envelope({
        type: 'group.updated',
        data: { changes: { name }, previous: { name: previous }, updated_at: tick() },
      }),
    added: (contactIds) =>
      envelope({
        type: 'group.contacts_added',
        data: { contact_ids: [...contactIds].sort((a, b) => a - b), added_at: tick() },
      }),
    removed: (contactId) =>
      envelope({ type: 'group.contact_removed', data: { contact_id: contactId, removed_at: tick() } }),
    deleted: () => envelope({ type: 'group.deleted', data: { deleted_at: tick() } }),
  };
}
