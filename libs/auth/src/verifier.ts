import { createSecretKey } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { UnauthorizedError } from '@reps/errors';
import { principalFromClaims, type Principal } from './principal';

/** Used only when NODE_ENV is not production and no secret is configured; documented in docs/gateway.md. */
export const DEVELOPMENT_JWT_SECRET = 'reps-crm-development-secret-not-for-production';

export const authConfigSchema = z.object({
  AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  AUTH_JWKS_URL: z.url().optional(),
  AUTH_ISSUER: z.string().optional(),
  AUTH_AUDIENCE: z.string().optional(),
});
export type AuthConfig = z.infer<typeof authConfigSchema>;

export interface TokenVerifier {
  /** Resolves to the principal, or throws `UnauthorizedError` (missing, malformed, bad signature, expired). */
  verify(authorizationHeader: string | undefined): Promise<Principal>;
}

/**
 * Picks the secret: the configured one; the development default (with a loud warning) outside
 * production; never a default in production — that is a start-up error.
 */
export function resolveJwtSecret(
  config: AuthConfig,
  nodeEnv: string,
  warn: (message: string) => void,
): string | undefined {
  if (config.AUTH_JWT_SECRET) return config.AUTH_JWT_SECRET;
  if (config.AUTH_JWKS_URL) return undefined;
  if (nodeEnv === 'production') {
    throw new Error('AUTH_JWT_SECRET (or AUTH_JWKS_URL) is required when NODE_ENV=production');
  }
  warn(
    `AUTH_JWT_SECRET is not set: using the PUBLIC development secret. Anyone can mint tokens. ` +
      `Set AUTH_JWT_SECRET before exposing this service.`,
  );
  return DEVELOPMENT_JWT_SECRET;
}

/** How many verified tokens a verifier remembers (least recently used go first). */
export const DEFAULT_TOKEN_CACHE_SIZE = 10_000;
/**
 * A token verified against a JWKS is remembered for at most this long (still never past its
 * `exp`), so a signing key withdrawn from the JWKS stops being honoured about as soon as jose's
 * own JWKS cache would notice; HS256 tokens have nothing to withdraw and are kept until `exp`.
 */
export const JWKS_TOKEN_CACHE_MS = 60_000;

interface CachedToken {
  principal: Principal;
  /** Epoch ms after which the entry is dead: the token's `exp` (or the JWKS bound, if sooner). */
  validUntilMs: number;
}

export function createTokenVerifier(options: {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** Verified tokens remembered, least recently used evicted first; 0 turns the cache off. */
  cacheSize?: number;
  /** The verifier's clock (epoch ms): expiry of cached and fresh tokens alike. Tests inject one. */
  now?: () => number;
}): TokenVerifier {
  // A KeyObject made once: jose would otherwise import the raw secret on every verification.
  const hmacKey = options.secret ? createSecretKey(Buffer.from(options.secret, 'utf8')) : undefined;
  const jwks: JWTVerifyGetKey | undefined = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
  if (!hmacKey && !jwks) throw new Error('a token verifier needs a secret or a JWKS URL');
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? DEFAULT_TOKEN_CACHE_SIZE;
  // Keyed by the whole Authorization header: a hit skips the format check, the signature and the
  // claims parse. Only tokens that passed all of them are ever stored, so a bad token costs a full
  // verification every time, exactly as without the cache.
  const cache = cacheSize > 0 ? new LRUCache<string, CachedToken>({ max: cacheSize }) : undefined;
  const verifyOptions = {
    requiredClaims: ['exp'],
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  };

  async function verifyToken(token: string, nowMs: number): Promise<{ payload: unknown; viaJwks: boolean }> {
    const currentDate = new Date(nowMs);
    const header64 = token.split('.')[0] ?? '';
    const alg = (JSON.parse(Buffer.from(header64, 'base64url').toString('utf8')) as { alg?: string }).alg;
    if (alg === 'HS256' && hmacKey) {
      const { payload } = await jwtVerify(token, hmacKey, { ...verifyOptions, currentDate, algorithms: ['HS256'] });
      return { payload, viaJwks: false };
    }
    if (alg === 'RS256' && jwks) {
      const { payload } = await jwtVerify(token, jwks, { ...verifyOptions, currentDate, algorithms: ['RS256'] });
      return { payload, viaJwks: true };
    }
    throw new Error(`algorithm ${String(alg)} not accepted`);
  }

  return {
    async verify(header) {
      const nowMs = now();
      const cached = header !== undefined ? cache?.get(header) : undefined;
      if (cached) {
        if (nowMs < cached.validUntilMs) return cached.principal;
        cache?.delete(header as string);
      }
      const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(header ?? '');
      if (!match?.[1]) throw new UnauthorizedError('Missing or malformed bearer token');
      let verified: { payload: unknown; viaJwks: boolean };
      try {
        verified = await verifyToken(match[1], nowMs);
      } catch (error) {
        const expired = error instanceof Error && 'code' in error && error.code === 'ERR_JWT_EXPIRED';
        throw new UnauthorizedError(expired ? 'The bearer token has expired' : 'The bearer token is invalid');
      }
      const principal = principalFromClaims(verified.payload);
      if (!principal) throw new UnauthorizedError('The bearer token lacks valid scope, company_id or sub claims');
      // jose accepts a token while now < exp (in whole seconds); the cache keeps exactly that rule.
      const exp = (verified.payload as { exp: number }).exp * 1000;
      const validUntilMs = verified.viaJwks ? Math.min(exp, nowMs + JWKS_TOKEN_CACHE_MS) : exp;
      if (cache && header !== undefined && nowMs < validUntilMs)
        cache.set(header, { principal: Object.freeze(principal), validUntilMs });
      return principal;
    },
  };
}

/** Mints an HS256 token (development CLI and tests). */
export async function mintToken(
  secret: string,
  principal: Principal,
  { expiresIn = '1h' as string | number } = {},
): Promise<string> {
  const claims =
    principal.scope === 'user'
      ? { scope: 'user', company_id: principal.companyId }
      : { scope: 'company', company_id: principal.companyId };
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt().setExpirationTime(expiresIn);
  if (principal.scope === 'user') jwt.setSubject(String(principal.userId));
  return jwt.sign(new TextEncoder().encode(secret));
}

/**
 * The verifier a service builds from its parsed config: the configured secret and/or JWKS,
 * the development secret (with a warning) outside production, a start-up error in production.
 */
export function createTokenVerifierFromConfig(
  config: AuthConfig,
  nodeEnv: string,
  warn: (message: string) => void,
): TokenVerifier {
  const secret = resolveJwtSecret(config, nodeEnv, warn);
  return createTokenVerifier({
    ...(secret ? { secret } : {}),
    ...(config.AUTH_JWKS_URL ? { jwksUrl: config.AUTH_JWKS_URL } : {}),
    ...(config.AUTH_ISSUER ? { issuer: config.AUTH_ISSUER } : {}),
    ...(config.AUTH_AUDIENCE ? { audience: config.AUTH_AUDIENCE } : {}),
  });
}
