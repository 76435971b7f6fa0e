import { resolve } from 'node:path';
import { contactStream } from '@reps/contacts-read-model';
import { createEventClassifier } from './event-classifier';
import { dataEnum, loadPublishedSchemas } from './published-schemas';

// The schemas as published in docs/events; the events from the repository's own factory, so a
// disagreement between the zod contracts and the published JSON Schemas fails here.
const schemas = loadPublishedSchemas(resolve(__dirname, '../../../../docs/events'));
const classify = createEventClassifier(schemas);
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

function history() {
  const stream = contactStream({ contactId: 17, tenant: 7, owner: 42, origin: 'company_api' });
  return [
    stream.created({ first_name: 'Ann', email: 'ann@example.com', status: 'lead' }),
    stream.updated({ status: 'customer', city: 'Austin' }),
    stream.reassigned(43),
    stream.discarded(),
    stream.restored(),
  ];
}

describe('published schemas', () => {
  it('describe every contact event type, and the status and origin enums the table uses', () => {
    expect(schemas.map((s) => s.type)).toEqual(
      expect.arrayContaining([
        'contact.created',
        'contact.updated',
        'contact.reassigned',
        'contact.discarded',
        'contact.restored',
      ]),
    );
    expect(dataEnum(schemas, 'contact.created', 'status')).toEqual([
      'active',
      'lead',
      'prospect',
      'customer',
      'inactive',
    ]);
    expect(dataEnum(schemas, 'contact.created', 'origin')).toEqual([
      'user_app',
      'company_api',
      'company_website',
    ]);
    expect(dataEnum(schemas, 'no.such.type', 'status')).toEqual([]);
  });
});

describe('createEventClassifier', () => {
  it('accepts every contact event the contracts produce', () => {
    for (const event of history()) expect(classify(bytes(event))).toEqual({ kind: 'event', event });
  });

  it('accepts unknown fields in the envelope and in data (additive changes stay in v1)', () => {
    const [created] = history();
    const extended = {
      ...created!,
      trace: { span: 'x' },
      data: { ...(created!.data as object), loyalty_tier: 'gold' },
    };
    expect(classify(bytes(extended))).toEqual({ kind: 'event', event: extended });
  });

  it('reports an event type no schema describes as unknown, whatever its shape', () => {
    expect(classify(bytes({ type: 'contact.merged', anything: true }))).toEqual({
      kind: 'unknown_type',
      type: 'contact.merged',
    });
  });

  it('rejects events that break their schema, saying where', () => {
    const [created, updated] = history();
    const badStatus = {
      ...updated!,
      data: { ...(updated!.data as object), changes: { status: 'vip' }, previous: { status: 'lead' } },
    };
    expect(classify(bytes(badStatus))).toMatchObject({ kind: 'invalid', type: 'contact.updated' });
    expect(classify(bytes({ ...created!, aggregate_id: '17' }))).toEqual({
      kind: 'invalid',
      type: 'contact.created',
      reason: '/aggregate_id must be integer',
    });
    const { aggregate_version: _dropped, ...noVersion } = created!;
    expect(classify(bytes(noVersion))).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('aggregate_version'),
    });
    expect(classify(bytes({ ...created!, schema_version: 2 }))).toMatchObject({
      kind: 'invalid',
      reason: '/schema_version must be equal to constant',
    });
    expect(classify(bytes({ ...created!, occurred_at: 'yesterday' }))).toMatchObject({ kind: 'invalid' });
  });

  it('rejects what is not an event envelope at all', () => {
    expect(classify(null)).toEqual({ kind: 'invalid', type: null, reason: 'empty message' });
    expect(classify(bytes('{not json'))).toEqual({ kind: 'invalid', type: null, reason: 'not JSON' });
    expect(classify(bytes([1, 2]))).toMatchObject({ kind: 'invalid', reason: 'no string "type" field' });
    expect(classify(bytes({ type: 7 }))).toMatchObject({ kind: 'invalid', reason: 'no string "type" field' });
  });
});
