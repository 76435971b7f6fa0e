import fc from 'fast-check';
import { contactStream, type ContactStreamBuilder } from '@reps/contacts-read-model';
import type { ContactOrigin, ContactStatus } from '@reps/contracts';
import type { Classified, EventEnvelope } from '../events/event-classifier';
import { countByCompany, type CompanyCounts } from './company-counts';
import { createTally, recordMessage, type Tally } from './tally';

const asMessage = (event: object): Classified => ({ kind: 'event', event: event as EventEnvelope });

function fold(events: object[], tally: Tally = createTally()): Tally {
  for (const event of events) recordMessage(tally, asMessage(event));
  return tally;
}

const company = (companyId: number, counts: Partial<Omit<CompanyCounts, 'companyId'>>): CompanyCounts => ({
  companyId,
  live: 0,
  discarded: 0,
  byStatus: {},
  byOrigin: {},
  ...counts,
});

describe('counting contacts per company', () => {
  const ann = () => contactStream({ contactId: 1, tenant: 7, owner: 42, origin: 'user_app' });
  const bob = () => contactStream({ contactId: 2, tenant: 7, owner: 42, origin: 'company_website' });
  const cid = () => contactStream({ contactId: 3, tenant: 8, owner: 50, origin: 'company_api' });

  it('counts a created contact under its status and origin, per tenant', () => {
    const a = ann();
    const c = cid();
    const tally = fold([a.created({ first_name: 'Ann', status: 'lead' }), c.created({ first_name: 'Cid' })]);
    expect(countByCompany(tally.contacts.values())).toEqual([
      company(7, { live: 1, byStatus: { lead: 1 }, byOrigin: { user_app: 1 } }),
      company(8, { live: 1, byStatus: { active: 1 }, byOrigin: { company_api: 1 } }),
    ]);
  });

  it('moves a contact between statuses on contact.updated, and not on other field changes', () => {
    const a = ann();
    const b = bob();
    const tally = fold([
      a.created({ first_name: 'Ann' }),
      b.created({ first_name: 'Bob', status: 'prospect' }),
      a.updated({ status: 'customer' }),
      b.updated({ city: 'Austin' }),
      a.updated({ status: 'inactive', last_name: 'Lee' }),
    ]);
    expect(countByCompany(tally.contacts.values())).toEqual([
      company(7, {
        live: 2,
        byStatus: { inactive: 1, prospect: 1 },
        byOrigin: { user_app: 1, company_website: 1 },
      }),
    ]);
  });

  it('takes a discarded contact out of the status and origin counts into discarded, and back on restore', () => {
    const a = ann();
    const b = bob();
    const base = [
      a.created({ first_name: 'Ann', status: 'lead' }),
      b.created({ first_name: 'Bob' }),
      a.discarded(),
    ];
    expect(countByCompany(fold(base).contacts.values())).toEqual([
      company(7, { live: 1, discarded: 1, byStatus: { active: 1 }, byOrigin: { company_website: 1 } }),
    ]);
    expect(countByCompany(fold([...base, a.restored()]).contacts.values())).toEqual([
      company(7, {
        live: 2,
        byStatus: { lead: 1, active: 1 },
        byOrigin: { user_app: 1, company_website: 1 },
      }),
    ]);
  });

  it('keeps counts on a reassignment (same tenant, other rep)', () => {
    const b = bob();
    const tally = fold([b.created({ first_name: 'Bob' }), b.reassigned(43)]);
    expect(countByCompany(tally.contacts.values())).toEqual([
      company(7, { live: 1, byStatus: { active: 1 }, byOrigin: { company_website: 1 } }),
    ]);
    expect(tally.stats).toMatchObject({ applied: 2, duplicates: 0 });
  });

  it('skips a redelivered or older event (aggregate_version ≤ the last applied)', () => {
    const a = ann();
    const created = a.created({ first_name: 'Ann' });
    const toLead = a.updated({ status: 'lead' });
    const toCustomer = a.updated({ status: 'customer' });
    const tally = fold([created, toLead, toCustomer, toLead, created, toCustomer]);
    expect(countByCompany(tally.contacts.values())).toEqual([
      company(7, { live: 1, byStatus: { customer: 1 }, byOrigin: { user_app: 1 } }),
    ]);
    expect(tally.stats).toMatchObject({ messages: 6, applied: 3, duplicates: 3 });
  });

  it('skips events of a contact whose creation it never saw, and applies across a version gap', () => {
    const a = ann();
    a.created({ first_name: 'Ann' });
    const unseen = fold([a.updated({ status: 'lead' })]);
    expect(unseen.contacts.size).toBe(0);
    expect(unseen.stats).toMatchObject({ applied: 0, unseenContacts: 1 });

    const b = bob();
    const created = b.created({ first_name: 'Bob' });
    b.updated({ status: 'lead' });
    const gap = fold([created, b.discarded()]);
    expect(countByCompany(gap.contacts.values())).toEqual([company(7, { discarded: 1 })]);
    expect(gap.stats).toMatchObject({ applied: 2, gaps: 1 });
  });

  it('counts invalid events, unknown types and other valid events without applying them', () => {
    const tally = createTally();
    recordMessage(tally, { kind: 'invalid', type: 'contact.updated', reason: '/data must be object' });
    recordMessage(tally, { kind: 'unknown_type', type: 'contact.merged' });
    recordMessage(tally, { kind: 'unknown_type', type: 'contact.merged' });
    recordMessage(
      tally,
      asMessage({ type: 'group.created', aggregate_id: 1, aggregate_version: 1, company_id: 7, data: {} }),
    );
    expect(tally.contacts.size).toBe(0);
    expect(tally.stats).toEqual({
      messages: 4,
      applied: 0,
      gaps: 0,
      duplicates: 0,
      unseenContacts: 0,
      notCounted: 1,
      unknownTypes: { 'contact.merged': 2 },
      invalid: 1,
    });
  });
});

describe('counting under at-least-once delivery (property)', () => {
  const STATUSES: ContactStatus[] = ['active', 'lead', 'prospect', 'customer', 'inactive'];
  const ORIGINS: ContactOrigin[] = ['user_app', 'company_api', 'company_website'];
  const CONTACTS = 8;
  const PARTITIONS = 3;

  interface Model {
    company: number;
    status: ContactStatus;
    origin: ContactOrigin;
    discarded: boolean;
  }

  const op = fc.record({
    contact: fc.nat({ max: CONTACTS - 1 }),
    kind: fc.constantFrom('status', 'rename', 'discard', 'restore', 'reassign'),
    status: fc.constantFrom(...STATUSES),
  });
  // A consumer reads the partitions in any interleaving and, after a crash or rebalance,
  // re-reads from an earlier offset: that is at-least-once delivery, in order per partition.
  const step = fc.record({
    partition: fc.nat({ max: PARTITIONS - 1 }),
    rewindTo: fc.option(fc.nat({ max: 40 }), { freq: 6 }),
  });

  /** Issues the ops the way the command side would (no events for no-ops or refused commands). */
  function produce(
    origins: ContactOrigin[],
    ops: { contact: number; kind: string; status: ContactStatus }[],
  ) {
    const models = new Map<number, Model>();
    const streams = new Map<number, ContactStreamBuilder>();
    const logs: object[][] = Array.from({ length: PARTITIONS }, () => []);
    const publish = (contact: number, event: object) => logs[contact % PARTITIONS]!.push(event);
    origins.forEach((origin, contact) => {
      const stream = contactStream({ contactId: contact + 1, tenant: 100 + (contact % 3), owner: 1, origin });
      streams.set(contact, stream);
      models.set(contact, { company: 100 + (contact % 3), status: 'active', origin, discarded: false });
      publish(contact, stream.created({ first_name: `c${contact}` }));
    });
    for (const { contact, kind, status } of ops) {
      const model = models.get(contact)!;
      const stream = streams.get(contact)!;
      if (kind === 'status' && !model.discarded && model.status !== status) {
        publish(contact, stream.updated({ status }));
        model.status = status;
      } else if (kind === 'rename' && !model.discarded) {
        publish(contact, stream.updated({ last_name: `n${stream.version}` }));
      } else if (kind === 'discard' && !model.discarded) {
        publish(contact, stream.discarded());
        model.discarded = true;
      } else if (kind === 'restore' && model.discarded) {
        publish(contact, stream.restored());
        model.discarded = false;
      } else if (kind === 'reassign' && model.origin !== 'user_app' && !model.discarded) {
        publish(contact, stream.reassigned(stream.version + 1));
      }
    }
    return { models, logs };
  }

  function oracle(models: Iterable<Model>): CompanyCounts[] {
    const byCompany: Record<number, CompanyCounts> = {};
    for (const m of models) {
      const c = (byCompany[m.company] ??= company(m.company, {}));
      if (m.discarded) c.discarded++;
      else {
        c.live++;
        c.byStatus[m.status] = (c.byStatus[m.status] ?? 0) + 1;
        c.byOrigin[m.origin] = (c.byOrigin[m.origin] ?? 0) + 1;
      }
    }
    return Object.values(byCompany).sort((a, b) => a.companyId - b.companyId);
  }

  it('ends with the counts of the final contact states, whatever the redeliveries, and a replay changes nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...ORIGINS), { minLength: CONTACTS, maxLength: CONTACTS }),
        fc.array(op, { maxLength: 60 }),
        fc.array(step, { maxLength: 200 }),
        (origins, ops, steps) => {
          const { models, logs } = produce(origins, ops);
          const tally = createTally();
          const positions = logs.map(() => 0);
          const deliver = (p: number) => recordMessage(tally, asMessage(logs[p]![positions[p]!++]!));
          for (const { partition, rewindTo } of steps) {
            if (rewindTo !== null) positions[partition] = Math.min(positions[partition]!, rewindTo);
            else if (positions[partition]! < logs[partition]!.length) deliver(partition);
          }
          logs.forEach((log, p) => {
            while (positions[p]! < log.length) deliver(p);
          });
          const expected = oracle(models.values());
          expect(countByCompany(tally.contacts.values())).toEqual(expected);

          const total = logs.reduce((n, log) => n + log.length, 0);
          expect(tally.stats.applied).toBe(total);
          const appliedBefore = tally.stats.applied;
          fold(logs.flat(), tally);
          expect(tally.stats.applied).toBe(appliedBefore);
          expect(countByCompany(tally.contacts.values())).toEqual(expected);
          expect(countByCompany(fold(logs.flat()).contacts.values())).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
