import { ContactEvent } from '@reps/contracts';
import { contactStream, type ContactReadDoc, type ReadModelScope } from '@reps/contacts-read-model';
import { projectContactEvents, type CurrentDocs, type ProjectionResult } from './contact-projector';
import { decodeContactMessage } from './decode-contact-message';

const TENANT = 7;

/** Applies a result's writes to in-memory models, the way the store applies them to MongoDB. */
function applyWrites(models: Record<ReadModelScope, Map<string, ContactReadDoc>>, result: ProjectionResult) {
  for (const write of result.writes) {
    const model = models[write.scope];
    if (write.kind === 'insert') expect(model.has(write.doc._id)).toBe(false);
    else expect(model.get(write.doc._id)?._v).toBe(write.expectedVersion);
    model.set(write.doc._id, write.doc);
  }
}

const emptyModels = () => ({ user: new Map<string, ContactReadDoc>(), company: new Map<string, ContactReadDoc>() });
const asCurrent = (models: ReturnType<typeof emptyModels>): CurrentDocs => models;

describe('projectContactEvents', () => {
  it('folds a stream into one document per read model, at the last version', () => {
    const s = contactStream({ contactId: 1, tenant: TENANT, owner: 42, origin: 'company_api' });
    const events = [s.created({ first_name: 'Ann', last_name: 'Lee' }), s.updated({ city: 'Austin' }), s.reassigned(43)];
    const result = projectContactEvents(events, asCurrent(emptyModels()));
    expect(result.writes.map((w) => [w.scope, w.kind, w.doc._v])).toEqual([
      ['user', 'insert', 3],
      ['company', 'insert', 3],
    ]);
    const doc = result.writes[0]!.doc;
    expect(doc).toMatchObject({
      _id: '7:1',
      user_id: 43,
      company_id: 7,
      city: 'Austin',
      full_name: 'Ann Lee',
      tenant_company_id: 7,
      company_visible: true,
      _search: 'ann\nlee\nann lee',
      _ln: 'lee',
      _discarded: false,
    });
    expect(result.gaps).toEqual([]);
  });

  it('keeps a rep-app contact out of the company read model, whatever happens to it', () => {
    const s = contactStream({ contactId: 2, tenant: TENANT, owner: 42 });
    const result = projectContactEvents([s.created(), s.updated({ status: 'lead' }), s.discarded(), s.restored()], asCurrent(emptyModels()));
    expect(result.writes.map((w) => w.scope)).toEqual(['user']);
  });

  it('skips duplicates and replays: applying a stream twice changes nothing', () => {
    const s = contactStream({ contactId: 3, tenant: TENANT, owner: 42, origin: 'company_website' });
    const events = [s.created(), s.updated({ lead_type: 'hot' }), s.discarded()];
    const models = emptyModels();
    applyWrites(models, projectContactEvents(events, asCurrent(models)));
    const snapshot = structuredClone([...models.user.values(), ...models.company.values()]);

    const replay = projectContactEvents([...events, events[1]!, events[0]!], asCurrent(models));
    expect(replay.writes).toEqual([]);
    expect(replay.duplicates.user).toHaveLength(5);
    expect(replay.duplicates.company).toHaveLength(5);
    expect([...models.user.values(), ...models.company.values()]).toEqual(snapshot);
  });

  it('applies the rest of a partly applied batch (a crash between the two writes)', () => {
    const s = contactStream({ contactId: 4, tenant: TENANT, owner: 42, origin: 'company_api' });
    const events = [s.created(), s.updated({ city: 'Dallas' })];
    const models = emptyModels();
    const first = projectContactEvents(events, asCurrent(models));
    // Only the user model's write landed before the crash.
    models.user.set('7:4', first.writes.find((w) => w.scope === 'user')!.doc);
    const again = projectContactEvents(events, asCurrent(models));
    expect(again.writes.map((w) => [w.scope, w.kind])).toEqual([['company', 'insert']]);
    expect(again.duplicates.user).toHaveLength(2);
  });

  it('never applies past a gap, and reports it', () => {
    const s = contactStream({ contactId: 5, tenant: TENANT, owner: 42 });
    const created = s.created();
    s.updated({ city: 'Lost' });
    const third = s.updated({ city: 'After gap' });
    const models = emptyModels();
    applyWrites(models, projectContactEvents([created], asCurrent(models)));
    const result = projectContactEvents([third], asCurrent(models));
    expect(result.writes).toEqual([]);
    expect(result.gaps).toEqual([{ scope: 'user', docId: '7:5', eventId: third.id, expected: 2, received: 3 }]);
  });

  it('guards replaces with the version the document was read at', () => {
    const s = contactStream({ contactId: 6, tenant: TENANT, owner: 42 });
    const models = emptyModels();
    applyWrites(models, projectContactEvents([s.created()], asCurrent(models)));
    const result = projectContactEvents([s.discarded()], asCurrent(models));
    expect(result.writes).toEqual([
      expect.objectContaining({ kind: 'replace', expectedVersion: 1, doc: expect.objectContaining({ _v: 2, _discarded: true }) }),
    ]);
  });

  it('rejects an event the domain cannot apply instead of failing the batch', () => {
    const s = contactStream({ contactId: 8, tenant: TENANT, owner: 42 });
    s.created();
    const orphanUpdate = { ...s.updated({ city: 'X' }), aggregate_version: 1 } as ContactEvent;
    const other = contactStream({ contactId: 9, tenant: TENANT, owner: 42 });
    const result = projectContactEvents([orphanUpdate, other.created()], asCurrent(emptyModels()));
    expect(result.rejected.map((r) => r.event.id)).toEqual([orphanUpdate.id]);
    expect(result.writes.map((w) => w.doc._id)).toEqual(['7:9']);
  });

  it('keeps tenants apart even for equal contact ids', () => {
    const a = contactStream({ contactId: 10, tenant: 7, owner: 1 });
    const b = contactStream({ contactId: 10, tenant: 8, owner: 1 });
    const result = projectContactEvents([a.created(), b.created()], asCurrent(emptyModels()));
    expect(result.writes.map((w) => w.doc._id)).toEqual(['7:10', '8:10']);
  });
});

describe('decodeContactMessage', () => {
  const valid = contactStream({ contactId: 1, tenant: 1, owner: 1 }).created();

  it('accepts a contract-valid event', () => {
    expect(decodeContactMessage(Buffer.from(JSON.stringify(valid)))).toEqual({ ok: true, event: valid });
  });

  it.each([
    ['not JSON', Buffer.from('{"id":'), 'json_parse_failed'],
    ['a tombstone', null, 'json_parse_failed'],
    ['another shape', Buffer.from('{"hello":"world"}'), 'schema_invalid'],
    ['a created event past version 1', Buffer.from(JSON.stringify({ ...valid, aggregate_version: 2 })), 'schema_invalid'],
  ])('turns %s into poison with a reason', (_name, value, reason) => {
    const decoded = decodeContactMessage(value);
    expect(decoded).toMatchObject({ ok: false, reason, detail: expect.any(String) });
  });
});
