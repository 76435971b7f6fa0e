import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';

/**
 * SmartLink tokens: the capability in a share URL (`/l/<token>`). A token is the first 192 bits of
 * HMAC-SHA256(key, "smartlink:v1:<tenant>:<id>") in base64url (32 characters): unguessable
 * without the key, and derivable by both services that hold the key — contacts-command, which
 * resolves it, and contacts-query, which shows it on reads — while the events (and so the topic
 * and the read models built from it) never carry it. The command side stores only its SHA-256
 * for the public lookup. Rotating the key re-keys every link (old share URLs stop working).
 */

export const DEVELOPMENT_SMARTLINK_TOKEN_KEY = 'reps-crm-development-smartlink-key-not-for-production';

/** The settings of both services that hand out share URLs (contacts-command and contacts-query): same key, same base. */
export const smartlinkTokenConfigSchema = z.object({
  SMARTLINK_TOKEN_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Where `/l/<token>` is served from (the gateway's public address): the share URL's base. */
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).default('http://localhost:8080'),
});

/** The configured key; outside production the public development key with a warning; in production a start-up error. */
export function resolveSmartlinkTokenKey(
  config: { SMARTLINK_TOKEN_KEY?: string | undefined },
  nodeEnv: string,
  warn: (message: string) => void,
): string {
  if (config.SMARTLINK_TOKEN_KEY) return config.SMARTLINK_TOKEN_KEY;
  if (nodeEnv === 'production') throw new Error('SMARTLINK_TOKEN_KEY is required when NODE_ENV=production');
  if (nodeEnv !== 'test')
    warn('SMARTLINK_TOKEN_KEY is not set: using the PUBLIC development key; anyone can compute share URLs.');
  return DEVELOPMENT_SMARTLINK_TOKEN_KEY;
}

export function deriveSmartlinkToken(key: string, tenantCompanyId: number, smartlinkId: number): string {
  return createHmac('sha256', key)
    .update(`smartlink:v1:${tenantCompanyId}:${smartlinkId}`)
    .digest()
    .subarray(0, 24)
    .toString('base64url');
}

/** What the lookup stores instead of the token (hex SHA-256): a leaked lookup table opens no link. */
export function hashSmartlinkToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The shape of a token. Callers still look a malformed one up, so every unknown token costs the same. */
export const SMARTLINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/** `<PUBLIC_BASE_URL>/l/<token>`. */
export function smartlinkShareUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/l/${token}`;
}
