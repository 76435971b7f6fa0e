import fc from 'fast-check';
import type { Principal } from '@reps/auth';
import { createReadModelCatalog, INITIAL_GENERATION } from '@reps/contacts-read-model';
import { connectMongo, type MongoHandle } from '@reps/mongo';
import { resolveTestEnv, type TestEnv } from '@reps/testing';
import { startReadStack, type ReadStack } from '../testing/read-stack.spec-helper';

/**
 * Property: for any sequence of creates, updates, reassignments, discards and restores by any
 * reps and companies, both read models and both APIs agree with an in-memory oracle of the
 * scope rules — and no company ever lists or reads a contact created in the rep app.
 */

const USERS = '/api/user/crm/v202506/contacts';
const COMPANY = '/api/company/crm/v202506/contacts';
const NAMES = ['Ann', 'Bo', 'Cy', 'Di'];

type Op =
  | { kind: 'repCreate'; tenant: number; user: number; name: string }
  | { kind: 'companyCreate'; tenant: number; owner: number; name: string; website: boolean }
  | { kind: 'update'; actor: Actor; target: number; name: string }
  | { kind: 'reassign'; tenant: number; target: number; owner: number }
  | { kind: 'discard' | 'restore'; actor: Actor; target: number };
type Actor = { scope: 'user'; tenant: number; user: number } | { scope: 'company'; tenant: number };

interface OracleContact {
  id: number;
  tenant: number;
  owner: number;
  visible: boolean;
  name: string;
  discarded: boolean;
  token: string;
}

const tenantArb = fc.integer({ min: 0, max: 1 });
const userArb = fc.integer({ min: 1, max: 3 });
const nameArb = fc.constantFrom(...NAMES);
const targetArb = fc.nat({ max: 20 });
const actorArb: fc.Arbitrary<Actor> = fc.oneof(
  fc.record({ scope: fc.constant('user' as const), tenant: tenantArb, user: userArb }),
  fc.record({ scope: fc.constant('company' as const), tenant: tenantArb }),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('repCreate' as const), tenant: tenantArb, user: userArb, name: nameArb }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('companyCreate' as const), tenant: tenantArb, owner: userArb, name: nameArb, website: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('update' as const), actor: actorArb, target: targetArb, name: nameArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reassign' as const), tenant: tenantArb, target: targetArb, owner: userArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('discard' as const, 'restore' as const), actor: actorArb, target: targetArb }) },
);

describe('read models against an oracle of the scope rules (fast-check, real servers)', () => {
  let env: TestEnv;
  let stack: ReadStack;
  let mongo: MongoHandle;
  let run = 0;

  beforeAll(async () => {
    env = await resolveTestEnv();
    stack = await startReadStack(env);
    mongo = await connectMongo({ url: env.mongoUrl, dbName: stack.readDb, appName: 'oracle' });
  }, 120_000);

  afterAll(async () => {
    await mongo?.close();
    await stack?.close();
    await env?.close();
  });

  it('both read models and both APIs equal the oracle after any sequence of writes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 14 }), async (ops) => {
        // Fresh tenants per run: earlier runs (and shrinking) cannot leak into this one's lists.
        run++;
        const tenants = [100_000 + run * 2, 100_001 + run * 2];
        const oracle: OracleContact[] = [];
        const principal = (actor: Actor): Principal =>
          actor.scope === 'user'
            ? { scope: 'user', userId: actor.user, companyId: tenants[actor.tenant]! }
            : { scope: 'company', companyId: tenants[actor.tenant]! };
        const pathFor = (actor: Actor, id?: number) => `${actor.scope === 'user' ? USERS : COMPANY}${id ? `/${id}` : ''}`;
        const visibleTo = (c: OracleContact, actor: Actor) =>
          c.tenant === tenants[actor.tenant] && (actor.scope === 'user' ? c.owner === actor.user : c.visible);
        const remember = async (c: OracleContact, res: Response) => {
          c.token = res.headers.get('x-consistency-token') ?? c.token;
          await res.arrayBuffer();
        };

        for (const op of ops) {
          if (op.kind === 'repCreate' || op.kind === 'companyCreate') {
            const actor: Actor = op.kind === 'repCreate' ? { scope: 'user', tenant: op.tenant, user: op.user } : { scope: 'company', tenant: op.tenant };
            const body =
              op.kind === 'repCreate'
                ? { first_name: op.name }
                : { first_name: op.name, user_id: op.owner, origin: op.website ? 'company_website' : 'company_api' };
            const res = await stack.write(principal(actor), 'POST', pathFor(actor), body);
            expect(res.status).toBe(201);
            const { contact } = (await res.clone().json()) as { contact: { id: number } };
            const c: OracleContact = {
              id: contact.id,
              tenant: tenants[op.tenant]!,
              owner: op.kind === 'repCreate' ? op.user : op.owner,
              visible: op.kind === 'companyCreate',
              name: op.name,
              discarded: false,
              token: '',
            };
            oracle.push(c);
            await remember(c, res);
            continue;
          }
          const c = oracle.length > 0 ? oracle[op.target % oracle.length]! : undefined;
          if (!c) continue;
          const actor: Actor = op.kind === 'reassign' ? { scope: 'company', tenant: op.tenant } : op.actor;
          const allowed = visibleTo(c, actor);
          let res: Response;
          if (op.kind === 'update') {
            res = await stack.write(principal(actor), 'PATCH', pathFor(actor, c.id), { first_name: op.name });
            const expected = !allowed ? 404 : c.discarded ? 409 : 200;
            expect(res.status).toBe(expected);
            if (expected === 200) c.name = op.name;
          } else if (op.kind === 'reassign') {
            res = await stack.write(principal(actor), 'PATCH', pathFor(actor, c.id), { user_id: op.owner });
            const expected = !allowed ? 404 : c.discarded ? 409 : 200;
            expect(res.status).toBe(expected);
            if (expected === 200) c.owner = op.owner;
          } else {
            res = await stack.write(principal(actor), op.kind === 'discard' ? 'DELETE' : 'POST', `${pathFor(actor, c.id)}${op.kind === 'restore' ? '/restore' : ''}`);
            expect(res.status).toBe(allowed ? 200 : 404);
            if (allowed) c.discarded = op.kind === 'discard';
          }
          await remember(c, res);
        }

        // Read-your-writes for every contact, then compare.
        for (const c of oracle) {
          const owner: Principal = { scope: 'user', userId: c.owner, companyId: c.tenant };
          const res = await stack.read(owner, `${USERS}/${c.id}`, { 'x-consistency-token': c.token });
          expect(res.headers.get('x-consistency')).toBe('fresh');
          await res.arrayBuffer();
        }
        const catalog = createReadModelCatalog(mongo.db, stack.prefix);
        const models = catalog.collections((await catalog.activeGeneration()) ?? INITIAL_GENERATION);
        const summary = (c: { id: number; owner: number; name: string; discarded: boolean }) => `${c.id}:${c.owner}:${c.name}:${c.discarded}`;
        const expectedUser = oracle.map((c) => summary(c)).sort();
        const expectedCompany = oracle.filter((c) => c.visible).map((c) => summary(c)).sort();
        const fromDocs = (docs: { id: number; user_id: number; first_name: string | null; discarded_at: string | null }[]) =>
          docs.map((d) => summary({ id: d.id, owner: d.user_id, name: d.first_name ?? '', discarded: d.discarded_at !== null })).sort();
        expect(fromDocs(await models.user.find({ tenant_company_id: { $in: tenants } }).toArray())).toEqual(expectedUser);
        expect(fromDocs(await models.company.find({ tenant_company_id: { $in: tenants } }).toArray())).toEqual(expectedCompany);

        for (const tenant of tenants) {
          const company: Principal = { scope: 'company', companyId: tenant };
          const listed = (await (await stack.read(company, `${COMPANY}?limit=100&discarded=include`)).json()) as {
            contacts: { id: number; user_id: number; first_name: string | null; discarded_at: string | null; origin: string }[];
          };
          expect(listed.contacts.every((c) => c.origin !== 'user_app')).toBe(true);
          expect(fromDocs(listed.contacts)).toEqual(oracle.filter((c) => c.visible && c.tenant === tenant).map(summary).sort());
          for (const user of [1, 2, 3]) {
            const rep: Principal = { scope: 'user', userId: user, companyId: tenant };
            const mine = (await (await stack.read(rep, `${USERS}?limit=100&discarded=include`)).json()) as { contacts: never[] };
            expect(fromDocs(mine.contacts)).toEqual(oracle.filter((c) => c.tenant === tenant && c.owner === user).map(summary).sort());
          }
          for (const c of oracle.filter((o) => !o.visible)) {
            const res = await stack.read(company, `${COMPANY}/${c.id}`);
            expect(res.status).toBe(404);
            await res.arrayBuffer();
          }
        }
      }),
      { numRuns: 25, endOnFailure: true },
    );
  }, 600_000);
});
