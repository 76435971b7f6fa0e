import { createHash } from 'node:crypto';
import cors from 'cors';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { parseBody, SmartlinkActivityBody } from '@reps/contracts';
import { ValidationError } from '@reps/errors';
import { requestIdOf } from '@reps/http';
import type { Logger } from '@reps/observability';
import type { Redis } from '@reps/redis';
import { createRateLimit } from '../hygiene/rate-limit';
import type { UpstreamClient } from '../upstream/upstream-client';

/** The public, token-only routes (DESIGN §6): the token in the path is the only credential. */
export const OPEN_PATH = '/l/:token';
export const BEACON_PATH = '/api/public/smartlinks/:token/activities';

export interface PublicSmartlinkDeps {
  command: UpstreamClient;
  redis: Redis;
  /** Requests per window per client IP (all public routes together) and per token. */
  ipPoints: number;
  tokenPoints: number;
  windowSeconds: number;
  /** How often the limiters share their counts through Redis. */
  syncIntervalMs: number;
  /** The beacon's body limit (its `properties` are at most 4 KB). */
  bodyLimit: string;
  keyPrefix?: string;
  logger: Logger;
}

/** The rate-limit bucket of a token: its hash, so Redis never holds a capability. */
const tokenBucket = (req: Request) =>
  createHash('sha256')
    .update(String(req.params['token'] ?? ''))
    .digest('base64url')
    .slice(0, 22);

/**
 * CORS for the beacon route only: any origin may POST JSON (the company site, wherever it runs);
 * no credentials. Mounted before the API's own CORS, which stays as configured for the rest.
 */
export const beaconCors: RequestHandler = cors({
  origin: '*',
  methods: ['POST'],
  allowedHeaders: ['Content-Type'],
  exposedHeaders: ['Retry-After', 'X-Request-Id'],
  maxAge: 600,
});

/**
 * `GET|HEAD /l/:token` (302 to the target, or 404) and `POST /api/public/smartlinks/:token/activities`
 * (202), forwarded to contacts-command with the headers that decide whether an open counts. Both
 * are rate limited per client IP and per token (429 + Retry-After) before any upstream work.
 */
export function mountPublicSmartlinkRoutes(app: Express, deps: PublicSmartlinkDeps): { close(): Promise<void> } {
  const limit = (name: string, points: number, keyOf: (req: Request) => string) =>
    createRateLimit({
      redis: deps.redis,
      points,
      windowSeconds: deps.windowSeconds,
      syncIntervalMs: deps.syncIntervalMs,
      costOf: () => 1,
      keyPrefix: `${deps.keyPrefix ?? 'gw:rl'}:${name}`,
      keyOf,
      logger: deps.logger,
    });
  const perIp = limit('pub-ip', deps.ipPoints, (req) => req.socket.remoteAddress ?? 'unknown');
  const perToken = limit('pub-token', deps.tokenPoints, tokenBucket);

  const forward = (method: 'GET' | 'HEAD' | 'POST', body?: string) => async (req: Request, res: Response) => {
    const answer = await deps.command.send({
      method,
      path: req.path,
      headers: req.headers,
      requestId: requestIdOf(req),
      clientIp: req.socket.remoteAddress,
      ...(body !== undefined ? { body } : {}),
    });
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.setHeader('Content-Length', String(answer.body.length));
    res.status(answer.status).end(method === 'HEAD' ? undefined : answer.body);
  };

  app.get(OPEN_PATH, perIp, perToken, (req, res) =>
    forward(req.method === 'HEAD' ? 'HEAD' : 'GET')(req, res),
  );

  app.post(
    BEACON_PATH,
    perIp,
    perToken,
    express.json({
      limit: deps.bodyLimit,
      strict: true,
      type: ['application/json', 'application/*+json', 'text/plain'],
    }),
    (req, res) => {
      // Checked here too, so a bad body costs no hop; a 422 says nothing about the token.
      const parsed = parseBody(SmartlinkActivityBody, req.body);
      if (!parsed.ok) throw new ValidationError(parsed.issues);
      return forward('POST', JSON.stringify(req.body))(req, res);
    },
  );
  return { close: async () => void (await Promise.all([perIp.close(), perToken.close()])) };
}
