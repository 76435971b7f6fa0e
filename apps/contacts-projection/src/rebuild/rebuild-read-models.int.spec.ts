import { contactStream, type ContactReadDoc } from '@reps/contacts-read-model';
import { resolveTestEnv, waitFor, type TestEnv } from '@reps/testing';
import { projectionUnderTest, type ProjectionUnderTest } from '../testing/projection.spec-helper';

const TENANT = 9;

describe('rebuild from offset 0 into new collections, swapped in while the projection runs', () => {
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

  it('produces the same documents as the live projection, then the live projection follows the swap', async () => {
    const streams = Array.from({ length: 40 }, (_, i) =>
      contactStream({ contactId: 5000 + i, tenant: TENANT, owner: 1 + (i % 3), origin: i % 2 ? 'company_api' : 'user_app' }),
    );
    await p.publish(streams.map((s) => s.created({ first_name: `C${s.contactId}` })));
    await p.publish(streams.flatMap((s, i) => (i % 4 === 0 ? [s.updated({ city: 'X' }), s.discarded()] : [s.reassigned(9)])));
    await p.publishRaw('poison', 'not json');
    const last = streams[streams.length - 1]!;
    for (const s of streams) await p.waitForVersion(`${TENANT}:${s.contactId}`, s.version);
    const before = await p.catalog.activeGeneration();
    const live = { user: await p.docs('user'), company: await p.docs('company') };

    const report = await p.rebuild({ dropOldAfterMs: 0 });
    expect(report).toMatchObject({ from: before, messages: 40 + 50 + 1, droppedOld: true });
    expect(await p.catalog.activeGeneration()).toBe(report.to);

    const rebuilt = { user: await p.docs('user'), company: await p.docs('company') };
    const sorted = (docs: Map<string, ContactReadDoc>) => [...docs.values()].sort((a, b) => a._id.localeCompare(b._id));
    expect(sorted(rebuilt.user)).toEqual(sorted(live.user));
    expect(sorted(rebuilt.company)).toEqual(sorted(live.company));
    expect(rebuilt.company.size).toBe(20);

    // The live projection switched to the new generation and keeps it current.
    await p.publish([last.updated({ city: 'After swap' })]);
    await p.waitForVersion(`${TENANT}:${last.contactId}`, last.version, ['user', 'company']);
    await waitFor(async () => (await p.docs('user')).get(`${TENANT}:${last.contactId}`)?.city === 'After swap', {
      what: 'the live projection to write the new generation',
    });
  });
});
