import { SignJWT } from 'jose';
import { UnauthorizedError } from '@reps/errors';
import { createTokenVerifier } from './verifier';

// Counts real signature checks; the cache's whole point is to skip them for a token already verified.
jest.mock('jose', () => {
  const actual = jest.requireActual<typeof import('jose')>('jose');
  return { ...actual, jwtVerify: jest.fn(actual.jwtVerify) };
});
const { jwtVerify } = jest.requireMock<{ jwtVerify: jest.Mock }>('jose');

const secret = 'a-test-secret-that-is-long-enough-123';
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

/** A clock the test moves by hand. */
function clock(start = T0) {
  let now = start;
  return { now: () => now, set: (ms: number) => (now = ms) };
}

async function tokenExpiringAt(
  expMs: number,
  claims: Record<string, unknown> = { scope: 'company', company_id: 7 },
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(Math.floor(expMs / 1000))
    .sign(new TextEncoder().encode(secret));
}

beforeEach(() => jwtVerify.mockClear());

describe('token verifier cache', () => {
  it('verifies a token once and answers it from memory until its exp, never at or past it', async () => {
    const time = clock();
    const verifier = createTokenVerifier({ secret, now: time.now });
    const header = `Bearer ${await tokenExpiringAt(T0 + 60_000)}`;

    await expect(verifier.verify(header)).resolves.toEqual({ scope: 'company', companyId: 7 });
    time.set(T0 + 59_999);
    await expect(verifier.verify(header)).resolves.toEqual({ scope: 'company', companyId: 7 });
    expect(jwtVerify).toHaveBeenCalledTimes(1);

    time.set(T0 + 60_000);
    await expect(verifier.verify(header)).rejects.toThrow(/expired/);
    await expect(verifier.verify(header)).rejects.toThrow(/expired/);
    expect(jwtVerify).toHaveBeenCalledTimes(3);
  });

  it('never caches a token that failed: a bad signature or bad claims cost a full check every time', async () => {
    const verifier = createTokenVerifier({ secret, now: clock().now });
    const forged = await new SignJWT({ scope: 'company', company_id: 7 })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(T0 / 1000) + 3600)
      .sign(new TextEncoder().encode('another-secret-that-is-long-enough-456'));
    const badClaims = await tokenExpiringAt(T0 + 3_600_000, { scope: 'admin', company_id: 7 });
    for (let i = 0; i < 2; i++) {
      await expect(verifier.verify(`Bearer ${forged}`)).rejects.toThrow(/invalid/);
      await expect(verifier.verify(`Bearer ${badClaims}`)).rejects.toThrow(/scope/);
    }
    expect(jwtVerify).toHaveBeenCalledTimes(4);
  });

  it('keys on the exact header: the same token under another prefix is checked on its own', async () => {
    const verifier = createTokenVerifier({ secret, now: clock().now });
    const token = await tokenExpiringAt(T0 + 60_000);
    await verifier.verify(`Bearer ${token}`);
    await expect(verifier.verify(`bearer ${token}`)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(verifier.verify(`Bearer ${token} `)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('holds at most cacheSize tokens, evicting the least recently used', async () => {
    const verifier = createTokenVerifier({ secret, now: clock().now, cacheSize: 2 });
    const [a, b, c] = await Promise.all(
      [1, 2, 3].map(
        async (id) => `Bearer ${await tokenExpiringAt(T0 + 60_000, { scope: 'company', company_id: id })}`,
      ),
    );
    for (const header of [a, b, a, c]) await verifier.verify(header as string);
    expect(jwtVerify).toHaveBeenCalledTimes(3);
    await verifier.verify(a as string); // kept: used after b
    expect(jwtVerify).toHaveBeenCalledTimes(3);
    await verifier.verify(b as string); // evicted by c
    expect(jwtVerify).toHaveBeenCalledTimes(4);
  });

  it('verifies every time with cacheSize 0', async () => {
    const verifier = createTokenVerifier({ secret, now: clock().now, cacheSize: 0 });
    const header = `Bearer ${await tokenExpiringAt(T0 + 60_000)}`;
    await verifier.verify(header);
    await verifier.verify(header);
    expect(jwtVerify).toHaveBeenCalledTimes(2);
  });
});
