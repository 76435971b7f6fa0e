import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { requestIdOf } from '@reps/http';
import { principalOf, requireScope, type Principal, type TokenVerifier } from '@reps/auth';
import {
  CompanyContactCreateBody,
  CompanyContactUpdateBody,
  exceedsBulkMax,
  parseBody,
  unwrapContactBody,
  UserContactCreateBody,
  UserContactUpdateBody,
} from '@reps/contracts';
import { toContactResource, type Actor } from '@reps/contacts-domain';
import {
  AppError,
  BadRequestError,
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from '@reps/errors';
import type { IdAllocator } from '../ids/id-allocator';
import type { IdempotencyStore, StoredResponse } from '../idempotency/idempotency-store';
import type { CommandOutcome, ContactCommandHandler } from './contact-command-handler';
import { encodeConsistencyToken } from './consistency-token';

export const API_VERSION = 'v202506';

export interface ContactRoutesDeps {
  handler: ContactCommandHandler;
  ids: IdAllocator;
  idempotency: IdempotencyStore;
  verifier: TokenVerifier;
  clock: () => Date;
  /** URL-safe random token of at least 16 characters for each new contact. */
  newToken?: () => string;
}

const CONTACT_ID = /^[1-9]\d{0,15}$/;
const IF_MATCH = /^(?:W\/)?"(\d{1,15})"$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function contactIdParam(req: Request): number {
  const raw = String(req.params['id'] ?? '');
  // An id that cannot exist is simply not found, like any other unknown contact.
  if (!CONTACT_ID.test(raw) || !Number.isSafeInteger(Number(raw))) throw new NotFoundError('Contact not found');
  return Number(raw);
}

function expectedVersion(req: Request): number | undefined {
  const header = req.get('if-match');
  if (header === undefined || header.trim() === '*') return undefined;
  const match = IF_MATCH.exec(header.trim());
  if (!match?.[1]) throw new BadRequestError('If-Match must be an ETag from a previous response, e.g. W/"3"');
  return Number(match[1]);
}

const actorOf = (principal: Principal): Actor => principal;

const principalKey = (p: Principal): string =>
  p.scope === 'user' ? `user:${p.companyId}:${p.userId}` : `company:${p.companyId}`;

function contactResponse(status: number, outcome: CommandOutcome, location?: string): StoredResponse {
  const headers: Record<string, string> = {
    etag: `W/"${outcome.version}"`,
    'x-consistency-token': encodeConsistencyToken(outcome.state.id, outcome.version),
  };
  if (location) headers['location'] = location;
  return { status, body: { contact: toContactResource(outcome.state) }, headers };
}

function send(res: Response, response: StoredResponse): void {
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.status(response.status).json(response.body);
}

function parseOr422<T>(result: { ok: true; value: T } | { ok: false; issues: { field: string; message: string }[] }): T {
  if (!result.ok) throw new ValidationError(result.issues);
  return result.value;
}

function errorBody(error: AppError) {
  return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
}

export function createContactRoutes(deps: ContactRoutesDeps): Router {
  const router = Router();
  const newToken = deps.newToken ?? (() => randomBytes(16).toString('base64url'));

  /**
   * Runs `produce` at most once per (principal, Idempotency-Key): a retry with the same body
   * replays the stored response, another body is a 409. Without the header it just runs.
   */
  async function idempotent(
    req: Request,
    res: Response,
    produce: (reservedIds: number[] | undefined, reserve: (ids: number[]) => Promise<void>) => Promise<StoredResponse>,
  ): Promise<void> {
    const key = req.get('idempotency-key');
    if (key === undefined) {
      send(res, await produce(undefined, async () => undefined));
      return;
    }
    if (!IDEMPOTENCY_KEY.test(key)) throw new BadRequestError('Idempotency-Key must be 1-255 visible ASCII characters');
    const claim = await deps.idempotency.claim(
      principalKey(principalOf(req)),
      key,
      { method: req.method, path: req.path, body: req.body ?? null },
      deps.clock(),
    );
    switch (claim.kind) {
      case 'replay':
        res.setHeader('idempotent-replayed', 'true');
        send(res, claim.response);
        return;
      case 'mismatch':
        throw new ConflictError('This Idempotency-Key was already used with a different request', 'idempotency_key_reused');
      case 'in_progress':
        throw new ConflictError('A request with this Idempotency-Key is still in progress', 'idempotency_key_in_progress');
      case 'claimed': {
        let response: StoredResponse;
        try {
          response = await produce(claim.reservedIds, (ids) => deps.idempotency.reserve(claim.id, ids));
        } catch (error) {
          await deps.idempotency.release(claim.id).catch(() => undefined);
          throw error;
        }
        await deps.idempotency.complete(claim.id, response);
        send(res, response);
        return;
      }
      default: {
        const unreachable: never = claim;
        throw new Error(`unknown claim ${JSON.stringify(unreachable)}`);
      }
    }
  }

  for (const scope of ['user', 'company'] as const) {
    const base = `/api/${scope}/crm/${API_VERSION}/contacts`;
    const createSchema = scope === 'user' ? UserContactCreateBody : CompanyContactCreateBody;
    const updateSchema = scope === 'user' ? UserContactUpdateBody : CompanyContactUpdateBody;
    router.use(`/api/${scope}/crm/${API_VERSION}`, requireScope(deps.verifier, scope));

    router.post(base, async (req, res) => {
      const actor = actorOf(principalOf(req));
      const body = parseOr422(parseBody(createSchema, unwrapContactBody(req.body)));
      await idempotent(req, res, async (reservedIds, reserve) => {
        const contactId = reservedIds?.[0] ?? (await deps.ids.next());
        await reserve([contactId]);
        try {
          const outcome = await deps.handler.execute(
            (now) => ({ type: 'CreateContact', contactId, actor, now, token: newToken(), body }),
            { correlationId: requestIdOf(req) },
          );
          return contactResponse(201, outcome, `${base}/${contactId}`);
        } catch (error) {
          // A takeover of a request that died after storing: answer with what it stored.
          const stored = reservedIds && error instanceof ConflictError ? await deps.handler.load(contactId) : undefined;
          if (!stored) throw error;
          return contactResponse(201, stored, `${base}/${contactId}`);
        }
      });
    });

    if (scope === 'user') {
      router.post(`${base}/bulk`, async (req, res) => {
        const actor = actorOf(principalOf(req));
        if (exceedsBulkMax(req.body)) throw new PayloadTooLargeError('A bulk request holds at most 1000 contacts');
        const raw = req.body as unknown;
        const shapeOk =
          typeof raw === 'object' && raw !== null && !Array.isArray(raw) && Array.isArray((raw as { contacts?: unknown }).contacts);
        if (!shapeOk) throw new ValidationError([{ field: 'contacts', message: 'must be an array of contacts' }]);
        const extra = Object.keys(raw as object).filter((k) => k !== 'contacts');
        if (extra.length > 0) throw new ValidationError(extra.map((field) => ({ field, message: 'is not a known field' })));
        const items = (raw as { contacts: unknown[] }).contacts;
        if (items.length === 0) throw new ValidationError([{ field: 'contacts', message: 'must hold at least one contact' }]);

        await idempotent(req, res, async (reservedIds, reserve) => {
          const parsed = items.map((item) => parseBody(UserContactCreateBody, unwrapContactBody(item)));
          const validCount = parsed.filter((p) => p.ok).length;
          const ids = reservedIds ?? (await deps.ids.nextMany(validCount));
          await reserve(ids);
          const commands = [];
          const slots: number[] = [];
          let next = 0;
          for (const [index, p] of parsed.entries()) {
            if (!p.ok) continue;
            commands.push({
              type: 'CreateContact' as const,
              contactId: ids[next++]!,
              actor,
              now: '',
              token: newToken(),
              body: p.value,
            });
            slots.push(index);
          }
          const outcomes = await deps.handler.createMany(commands, { correlationId: requestIdOf(req) });
          const results: unknown[] = [];
          let created = 0;
          for (const [index, p] of parsed.entries()) {
            if (!p.ok) {
              const error = new ValidationError(p.issues);
              results.push({ index, status: error.status, error: errorBody(error) });
            }
          }
          outcomes.forEach((outcome, i) => {
            const index = slots[i]!;
            if (outcome instanceof AppError) results.push({ index, status: outcome.status, error: errorBody(outcome) });
            else {
              created++;
              results.push({ index, status: 201, contact: toContactResource(outcome.state) });
            }
          });
          results.sort((a, b) => (a as { index: number }).index - (b as { index: number }).index);
          return { status: 200, body: { results, meta: { created, failed: items.length - created } }, headers: {} };
        });
      });
    }

    router.patch(`${base}/:id`, async (req, res) => {
      const actor = actorOf(principalOf(req));
      const contactId = contactIdParam(req);
      const version = expectedVersion(req);
      const body = parseOr422(parseBody(updateSchema, unwrapContactBody(req.body)));
      const outcome = await deps.handler.execute((now) => ({ type: 'UpdateContact', contactId, actor, now, body }), {
        correlationId: requestIdOf(req),
        ...(version !== undefined ? { expectedVersion: version } : {}),
      });
      send(res, contactResponse(200, outcome));
    });

    router.delete(`${base}/:id`, async (req, res) => {
      const actor = actorOf(principalOf(req));
      const contactId = contactIdParam(req);
      const version = expectedVersion(req);
      const outcome = await deps.handler.execute((now) => ({ type: 'DiscardContact', contactId, actor, now }), {
        correlationId: requestIdOf(req),
        ...(version !== undefined ? { expectedVersion: version } : {}),
      });
      send(res, contactResponse(200, outcome));
    });

    router.post(`${base}/:id/restore`, async (req, res) => {
      const actor = actorOf(principalOf(req));
      const contactId = contactIdParam(req);
      const version = expectedVersion(req);
      await idempotent(req, res, async () =>
        contactResponse(
          200,
          await deps.handler.execute((now) => ({ type: 'RestoreContact', contactId, actor, now }), {
            correlationId: requestIdOf(req),
            ...(version !== undefined ? { expectedVersion: version } : {}),
          }),
        ),
      );
    });
  }
  return router;
}
