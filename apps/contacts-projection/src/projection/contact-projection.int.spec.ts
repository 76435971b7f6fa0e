import { contactStream } from '@reps/contacts-read-model';
import { resolveTestEnv, uniqueName, waitFor, type TestEnv } from '@reps/testing';
import { projectionUnderTest, type ProjectionUnderTest } from '../testing/projection.spec-helper';

const TENANT = 7;
let nextId = 1000;
const stream = (options: { owner?: number; origin?: 'user_app' | 'company_api' | 'company_website' } = {}) =>
  contactStream({ contactId: nextId++, tenant: TENANT, owner: options.owner ?? 42, origin: options.origin ?? 'user_app' });

async function metric(p: ProjectionUnderTest, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${p.base()}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function totalLag(p: ProjectionUnderTest): Promise<number> {
  const text = await (await fetch(`${p.base()}/metrics`)).text();
  const lines = text.split('\n').filter((l) => l.startsWith('projection_consumer_lag{'));
  return lines.length === 0 ? Number.NaN : lines.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

describe('contacts-projection (real Kafka and MongoDB-compatible server)', () => {
  let env: TestEnv;
  let p: ProjectionUnderTest;

  beforeAll(async () => {
    env = await resolveTestEnv();
    p = await projectionUnderTest(env);
    await p.start();
  });

  afterAll(async () => {
    await p?.close();
    await env?.close();
  });

  it('builds the user model with every contact and the company model with the company-visible ones only', async () => {
    const rep = stream();
    const web = stream({ origin: 'company_website' });
    await p.publish([rep.created({ first_name: 'Private' }), web.created({ first_name: 'Lead' })]);
    await p.publish([web.reassigned(43), web.discarded(), rep.updated({ city: 'Austin' })]);
    await p.waitForVersion(`${TENANT}:${web.contactId}`, 3, ['user', 'company']);
    await p.waitForVersion(`${TENANT}:${rep.contactId}`, 2);

    const [user, company] = [await p.docs('user'), await p.docs('company')];
    expect(user.get(`${TENANT}:${rep.contactId}`)).toMatchObject({ first_name: 'Private', city: 'Austin', company_id: null, user_id: 42 });
    expect(company.has(`${TENANT}:${rep.contactId}`)).toBe(false);
    for (const model of [user, company]) {
      expect(model.get(`${TENANT}:${web.contactId}`)).toMatchObject({
        _v: 3,
        user_id: 43,
        company_id: TENANT,
        discarded_at: expect.any(String),
        _discarded: true,
      });
    }
  });

  it('changes nothing when events are redelivered or the whole topic is replayed', async () => {
    const s = stream({ origin: 'company_api' });
    const events = [s.created({ last_name: 'Once' }), s.updated({ status: 'lead' }), s.restored()];
    // `restored` on a live contact is still a valid next version: the domain applies it.
    await p.publish(events);
    await p.waitForVersion(`${TENANT}:${s.contactId}`, 3, ['user', 'company']);
    const before = { user: await p.docs('user'), company: await p.docs('company') };
    const duplicatesBefore = await metric(p, 'projection_duplicates_skipped_total', 'model="user"');

    await p.publish([events[1]!, events[0]!, events[2]!]); // redelivered, out of order
    const marker = stream();
    await p.publish([marker.created()]);
    await p.waitForVersion(`${TENANT}:${marker.contactId}`, 1);
    expect(await metric(p, 'projection_duplicates_skipped_total', 'model="user"')).toBe(duplicatesBefore + 3);

    // A replay: a second consumer group reads the topic from offset 0 into the same collections.
    await p.stop();
    await p.start({ PROJECTION_GROUP_ID: uniqueName('replay') });
    const probe = stream();
    await p.publish([probe.created()]);
    await p.waitForVersion(`${TENANT}:${probe.contactId}`, 1);
    await waitFor(async () => (await totalLag(p)) === 0, { what: 'the replay to reach the end of the topic' });
    expect(await metric(p, 'projection_duplicates_skipped_total', 'model="user"')).toBeGreaterThanOrEqual(before.user.size);
    const after = { user: await p.docs('user'), company: await p.docs('company') };
    for (const scope of ['user', 'company'] as const) {
      for (const [id, doc] of before[scope]) expect(after[scope].get(id)).toEqual(doc);
    }
  });

  it('sends a poison message to the dead-letter topic with the reason, and applies the events after it', async () => {
    const s = stream();
    await p.publishRaw(String(s.contactId), '{"not json');
    await p.publishRaw(String(s.contactId), JSON.stringify({ type: 'contact.created', hello: 'world' }));
    await p.publish([s.created({ first_name: 'After poison' })]);
    await p.waitForVersion(`${TENANT}:${s.contactId}`, 1);

    const dead = await p.readTopic(`${p.topic}.dlq`, 2);
    expect(dead.map((m) => m.headers['dlq-reason']).sort()).toEqual(['json_parse_failed', 'schema_invalid']);
    for (const message of dead) {
      expect(message.key).toBe(String(s.contactId));
      expect(message.headers).toMatchObject({
        'dlq-source-topic': p.topic,
        'dlq-source-offset': expect.stringMatching(/^\d+$/),
        'dlq-detail': expect.any(String),
        'correlation-id': 'poison-test',
      });
    }
    expect(dead.find((m) => m.headers['dlq-reason'] === 'json_parse_failed')!.value!.toString()).toBe('{"not json');
    expect(await metric(p, 'projection_dead_lettered_total', 'reason="schema_invalid"')).toBe(1);
  });

  it('counts a gap and never applies past it', async () => {
    const s = stream();
    const created = s.created();
    s.updated({ city: 'never published' });
    const third = s.updated({ city: 'after the gap' });
    await p.publish([created, third]);
    const marker = stream();
    await p.publish([marker.created()]);
    await waitFor(async () => (await metric(p, 'projection_gaps_total', 'model="user"')) >= 1, { what: 'the gap to be counted' });
    expect((await p.docs('user')).get(`${TENANT}:${s.contactId}`)).toMatchObject({ _v: 1, city: null });
  });

  it('exposes consumer lag per partition and answers /readyz', async () => {
    expect((await fetch(`${p.base()}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${p.base()}/metrics`)).text();
    expect(text).toMatch(/projection_consumer_lag\{partition="0"[^}]*\} \d+/);
    expect(text).toMatch(/projection_events_applied_total\{model="user"[^}]*\} \d+/);
  });
});
