import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import * as ece from 'http_ece';
import { decodeProtectedHeader, importJWK, jwtVerify, type JWTPayload } from 'jose';
import type { PushPayload } from '@reps/contracts';
import { boundPort, closeServer, listen } from '@reps/http';

/**
 * A Web Push service on 127.0.0.1 for tests, standing in for the browser vendors' services:
 * each device it hosts holds its own P-256 key pair and auth secret, as a browser would, and
 * every push is checked like a real push service does — the VAPID JWT verified against the
 * `k=` key (ES256, audience = this origin, not expired) — and then decrypted (aes128gcm).
 * Answers follow a per-device script (default 201), so tests can make it fail.
 */

export interface ReceivedPush {
  device: string;
  at: number;
  status: number;
  payload: PushPayload;
  vapidPublicKey: string;
  jwt: JWTPayload;
  headers: IncomingHttpHeaders;
}

export interface TestDevice {
  name: string;
  /** The browser's `PushSubscription.toJSON()` for this device. */
  subscription: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
  /** Statuses to answer next, in order (then 201); a `{status, headers}` adds e.g. Retry-After. */
  script: (number | { status: number; headers: Record<string, string> })[];
}

export interface TestPushService {
  origin: string;
  received: ReceivedPush[];
  /** Requests that failed the VAPID or decryption checks, with why. */
  rejected: { device: string; reason: string }[];
  device(name: string): TestDevice;
  close(): Promise<void>;
}

interface DeviceKeys {
  device: TestDevice;
  ecdh: ECDH;
  auth: Buffer;
}

async function verifyVapid(
  header: string | undefined,
  origin: string,
): Promise<{ jwt: JWTPayload; key: string }> {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!match) throw new Error(`no VAPID authorization: ${header ?? '(none)'}`);
  const [, token, key] = match as unknown as [string, string, string];
  const raw = Buffer.from(key, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('k= is not an uncompressed P-256 key');
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: raw.subarray(1, 33).toString('base64url'),
    y: raw.subarray(33).toString('base64url'),
  };
  if (decodeProtectedHeader(token).alg !== 'ES256') throw new Error('VAPID JWT is not ES256');
  const { payload } = await jwtVerify(token, await importJWK(jwk, 'ES256'), {
    audience: origin,
    requiredClaims: ['exp', 'sub'],
  });
  if ((payload.exp ?? 0) > Date.now() / 1000 + 24 * 3600) throw new Error('VAPID JWT lives longer than 24 h');
  return { jwt: payload, key };
}

export async function startTestPushService(): Promise<TestPushService> {
  const devices = new Map<string, DeviceKeys>();
  const received: ReceivedPush[] = [];
  const rejected: { device: string; reason: string }[] = [];
  let origin = '';

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const name = decodeURIComponent((req.url ?? '').replace(/^\/push\//, ''));
        const keys = devices.get(name);
        if (!keys || req.method !== 'POST') {
          res.writeHead(404).end();
          return;
        }
        const next = keys.device.script.shift() ?? 201;
        const { status, headers } = typeof next === 'number' ? { status: next, headers: {} } : next;
        try {
          if (req.headers['content-encoding'] !== 'aes128gcm')
            throw new Error(`content-encoding ${String(req.headers['content-encoding'])}`);
          if (!req.headers['ttl']) throw new Error('no TTL header');
          const { jwt, key } = await verifyVapid(req.headers.authorization, origin);
          const plain = ece.decrypt(Buffer.concat(chunks), {
            version: 'aes128gcm',
            privateKey: keys.ecdh,
            authSecret: keys.auth,
          });
          received.push({
            device: name,
            at: Date.now(),
            status,
            payload: JSON.parse(plain.toString('utf8')) as PushPayload,
            vapidPublicKey: key,
            jwt,
            headers: req.headers,
          });
          res.writeHead(status, headers).end();
        } catch (error) {
          rejected.push({ device: name, reason: error instanceof Error ? error.message : String(error) });
          res.writeHead(400).end();
        }
      })();
    });
  });
  await listen(server, 0, '127.0.0.1');
  origin = `http://127.0.0.1:${boundPort(server)}`;

  return {
    origin,
    received,
    rejected,
    device(name) {
      const existing = devices.get(name);
      if (existing) return existing.device;
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const device: TestDevice = {
        name,
        subscription: {
          endpoint: `${origin}/push/${encodeURIComponent(name)}`,
          expirationTime: null,
          keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
        },
        script: [],
      };
      devices.set(name, { device, ecdh, auth });
      return device;
    },
    async close() {
      server.closeAllConnections();
      await closeServer(server);
    },
  };
}
