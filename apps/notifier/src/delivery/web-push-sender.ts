import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import webpush from 'web-push';
import type { PushPayload } from '@reps/contracts';
import { assertEndpointAllowed, EndpointRefusedError, guardedLookup } from './endpoint-guard';
import type { VapidKeys } from './vapid-keys';

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** How one send ended, classified for the retry policy (see the send worker). */
export type SendOutcome =
  | { kind: 'delivered'; status: number }
  /** 404/410: the push service forgot this subscription; it is deleted. */
  | { kind: 'gone'; status: number }
  /** 429/5xx/timeout/network: worth another try, not before `retryAfterMs` if the service said so. */
  | { kind: 'retry'; reason: string; status?: number; retryAfterMs?: number }
  /** Any other 4xx, or an endpoint the SSRF guard refuses: trying again cannot help. */
  | { kind: 'rejected'; reason: string; status?: number };

export interface WebPushSender {
  send(target: PushTarget, payload: PushPayload): Promise<SendOutcome>;
}

export interface WebPushSenderOptions {
  vapid: VapidKeys;
  ttlSeconds: number;
  timeoutMs: number;
  allowInsecure: boolean;
}

/** `Retry-After` as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function classifyStatus(status: number, headers: IncomingHttpHeaders): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 404 || status === 410) return { kind: 'gone', status };
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headers['retry-after'] as string | undefined);
    return {
      kind: 'retry',
      reason: status === 429 ? 'http_429' : 'http_5xx',
      status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  return { kind: 'rejected', reason: 'http_4xx', status };
}

/**
 * Web Push with VAPID: `web-push` encrypts the payload (aes128gcm) and signs the VAPID JWT; the
 * request itself goes through our own http(s) call so the SSRF guard vets the address it connects to.
 */
const VAPID_JWT_LIFETIME_S = 12 * 3600;
const VAPID_JWT_REUSE_MS = 3600_000;

export function createWebPushSender(options: WebPushSenderOptions): WebPushSender {
  const lookup = guardedLookup(options.allowInsecure);
  // The VAPID JWT names only the push service's origin, so one signature serves every push to
  // that service for a while (an ECDSA signature per push was the largest CPU cost of a send).
  const vapidByAudience = new Map<string, { headers: Record<string, string>; until: number }>();
  const vapidHeaders = (audience: string): Record<string, string> => {
    const cached = vapidByAudience.get(audience);
    if (cached && cached.until > Date.now()) return cached.headers;
    const headers = webpush.getVapidHeaders(
      audience,
      options.vapid.subject,
      options.vapid.publicKey,
      options.vapid.privateKey,
      'aes128gcm',
      Math.floor(Date.now() / 1000) + VAPID_JWT_LIFETIME_S,
    ) as unknown as Record<string, string>;
    if (vapidByAudience.size > 10_000) vapidByAudience.clear();
    vapidByAudience.set(audience, { headers, until: Date.now() + VAPID_JWT_REUSE_MS });
    return headers;
  };
  return {
    async send(target, payload) {
      try {
        await assertEndpointAllowed(target.endpoint, options.allowInsecure);
      } catch (error) {
        if (error instanceof EndpointRefusedError)
          return error.transient
            ? { kind: 'retry', reason: 'dns' }
            : { kind: 'rejected', reason: 'blocked_endpoint' };
        throw error;
      }
      const details = webpush.generateRequestDetails(
        { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
        JSON.stringify(payload),
        {
          headers: vapidHeaders(new URL(target.endpoint).origin),
          TTL: options.ttlSeconds,
          contentEncoding: 'aes128gcm',
          urgency: 'normal',
        },
      );
      const url = new URL(details.endpoint);
      const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise<SendOutcome>((resolve) => {
        const req = request(
          url,
          {
            method: 'POST',
            headers: details.headers as Record<string, string | number>,
            lookup,
            timeout: options.timeoutMs,
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(classifyStatus(res.statusCode ?? 0, res.headers)));
            res.on('error', () => resolve({ kind: 'retry', reason: 'network' }));
          },
        );
        req.on('timeout', () =>
          req.destroy(Object.assign(new Error('push service timed out'), { code: 'ETIMEDOUT' })),
        );
        req.on('error', (error: NodeJS.ErrnoException) => {
          if (error instanceof EndpointRefusedError)
            resolve(
              error.transient
                ? { kind: 'retry', reason: 'dns' }
                : { kind: 'rejected', reason: 'blocked_endpoint' },
            );
          else resolve({ kind: 'retry', reason: error.code === 'ETIMEDOUT' ? 'timeout' : 'network' });
        });
        req.end(details.body);
      });
    },
  };
}
