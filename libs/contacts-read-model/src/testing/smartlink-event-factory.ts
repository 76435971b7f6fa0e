import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA_VERSION, type SmartlinkEvent, type SmartlinkActivityType } from '@reps/contracts';

/**
 * Builds valid envelopes for one SmartLink stream, numbering versions the way contacts-command
 * does. For tests and benches that feed the projection without going through the command service.
 */
export interface SmartlinkStreamBuilder {
  readonly smartlinkId: number;
  created(overrides?: { url?: string; shareable_name?: string | null }): SmartlinkEvent;
  opened(userAgent?: string | null): SmartlinkEvent;
  activity(type: SmartlinkActivityType, itemName?: string): SmartlinkEvent;
  revoked(): SmartlinkEvent;
}

export function smartlinkStream(options: {
  smartlinkId: number;
  tenant: number;
  owner: number;
  contactId: number;
  companyVisible?: boolean;
  shareableName?: string | null;
  startAt?: Date;
}): SmartlinkStreamBuilder {
  let version = 0;
  let clock = options.startAt?.getTime() ?? Date.UTC(2025, 5, 1, 10, 0, 0);
  const tick = () => {
    clock += 1000;
    return new Date(clock).toISOString();
  };
  const shareableName = options.shareableName === undefined ? 'Collagen Boost' : options.shareableName;
  const envelope = (event: Pick<SmartlinkEvent, 'type' | 'data'>, publicActor: boolean): SmartlinkEvent => {
    version += 1;
    return {
      id: randomUUID(),
      schema_version: EVENT_SCHEMA_VERSION,
      occurred_at: new Date(clock).toISOString(),
      aggregate_id: options.smartlinkId,
      aggregate_version: version,
      company_id: options.tenant,
      user_id: options.owner,
      company_visible: options.companyVisible ?? false,
      actor: publicActor
        ? { scope: 'company', user_id: null, company_id: options.tenant }
        : { scope: 'user', user_id: options.owner, company_id: options.tenant },
      correlation_id: 'test',
      causation_id: null,
      ...event,
    } as SmartlinkEvent;
  };
  return {
    smartlinkId: options.smartlinkId,
    created: (overrides = {}) =>
      envelope(
        {
          type: 'smartlink.created',
          data: {
            id: options.smartlinkId,
            contact_id: options.contactId,
            shareable_type: 'product',
            shareable_id: 'sku-1',
            shareable_name: overrides.shareable_name === undefined ? shareableName : overrides.shareable_name,
            url: overrides.url ?? 'https://shop.example.com/p/1',
            created_at: tick(),
          },
        },
        false,
      ),
    opened: (userAgent = 'Mozilla/5.0') =>
      envelope(
        {
          type: 'smartlink.opened',
          data: {
            contact_id: options.contactId,
            occurred_at: tick(),
            user_agent: userAgent,
            shareable_type: 'product',
            shareable_name: shareableName,
          },
        },
        true,
      ),
    activity: (type, itemName) =>
      envelope(
        {
          type: 'smartlink.activity_recorded',
          data: {
            contact_id: options.contactId,
            type,
            item: itemName ? { type: 'product', id: 'sku-1', name: itemName } : null,
            properties: {},
            occurred_at: tick(),
            shareable_type: 'product',
            shareable_name: shareableName,
          },
        },
        true,
      ),
    revoked: () =>
      envelope(
        { type: 'smartlink.revoked', data: { contact_id: options.contactId, revoked_at: tick() } },
        false,
      ),
  };
}
