import { contactStream, type ContactReadDoc } from '@reps/contacts-read-model';
import { resolveTestEnv, waitFor, type TestEnv } from '@reps/testing';
import { projectionUnderTest, type ProjectionUnderTest } from '../testing/projection.spec-helper';
import { DEFAULT_REBUILD_CATCHUP_LAG } from './rebuild-read-models';

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

  // npm run chaos found it: with the old default (0) a rebuild under a steady write load never saw
  // its group exactly caught up and never swapped.
  it('swaps in while writes keep coming, with the default catch-up lag, and the live projection applies the rest', async () => {
    const streams = Array.from({ length: 20 }, (_, i) => contactStream({ contactId: 7000 + i, tenant: TENANT, owner: 1, origin: 'user_app' }));
    await p.publish(streams.map((s) => s.created({ first_name: `W${s.contactId}` })));
    let writing = true;
    let round = 0;
    // A steady trickle (one new version every ~10 ms, for at most 30 s) until the rebuild has swapped.
    const writer = (async () => {
      while (writing && round < 3000) {
        const s = streams[round % streams.length]!;
        await p.publish([s.updated({ city: `R${round}` })]);
        round++;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    try {
      const report = await p.rebuild({ dropOldAfterMs: null, catchUpLag: DEFAULT_REBUILD_CATCHUP_LAG });
      expect(await p.catalog.activeGeneration()).toBe(report.to);
      // Swapped while the writes went on, not after they stopped.
      expect(writing && round < 3000).toBe(true);
    } finally {
      writing = false;
      await writer;
    }
    for (const s of streams) await p.waitForVersion(`${TENANT}:${s.contactId}`, s.version);
  }, 120_000);
});
