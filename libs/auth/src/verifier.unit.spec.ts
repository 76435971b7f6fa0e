import { SignJWT } from 'jose';
import { UnauthorizedError } from '@reps/errors';
import { createTokenVerifier, mintToken, resolveJwtSecret } from './verifier';

const secret = 'a-test-secret-that-is-long-enough-123';
const verifier = createTokenVerifier({ secret });

describe('token verifier', () => {
  it('turns a user token into a user principal', async () => {
    const token = await mintToken(secret, { scope: 'user', userId: 42, companyId: 7 });
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toEqual({ scope: 'user', userId: 42, companyId: 7 });
  });

  it('turns a company token into a company principal', async () => {
    const token = await mintToken(secret, { scope: 'company', companyId: 7 });
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toEqual({ scope: 'company', companyId: 7 });
  });

  it.each([
    ['missing header', undefined],
    ['not bearer', 'Basic abc'],
    ['garbage', 'Bearer not.a.jwt'],
  ])('rejects %s with 401', async (_name, header) => {
    await expect(verifier.verify(header)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('rejects a token signed with another secret, an expired one and one without exp', async () => {
    const other = await mintToken('another-secret-that-is-long-enough-456', { scope: 'company', companyId: 1 });
    await expect(verifier.verify(`Bearer ${other}`)).rejects.toThrow(/invalid/);
    const expired = await mintToken(secret, { scope: 'company', companyId: 1 }, { expiresIn: Math.floor(Date.now() / 1000) - 10 });
    await expect(verifier.verify(`Bearer ${expired}`)).rejects.toThrow(/expired/);
    const noExp = await new SignJWT({ scope: 'company', company_id: 1 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
    await expect(verifier.verify(`Bearer ${noExp}`)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('rejects tokens whose claims break the contract', async () => {
    const bad = await new SignJWT({ scope: 'admin', company_id: 1 })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    await expect(verifier.verify(`Bearer ${bad}`)).rejects.toThrow(/scope/);
    const userWithoutSub = await new SignJWT({ scope: 'user', company_id: 1 })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    await expect(verifier.verify(`Bearer ${userWithoutSub}`)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses the alg=none trick', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ scope: 'company', company_id: 1, exp: 9999999999 })).toString('base64url');
    await expect(verifier.verify(`Bearer ${header}.${body}.`)).rejects.toBeInstanceOf(UnauthorizedError);
  });
});

describe('resolveJwtSecret', () => {
  it('refuses production without a secret', () => {
    expect(() => resolveJwtSecret({}, 'production', () => undefined)).toThrow(/AUTH_JWT_SECRET/);
  });

  it('falls back to the development secret with a warning elsewhere', () => {
    const warnings: string[] = [];
    expect(resolveJwtSecret({}, 'development', (m) => warnings.push(m))).toMatch(/development/);
    expect(warnings[0]).toMatch(/PUBLIC development secret/);
  });
});
