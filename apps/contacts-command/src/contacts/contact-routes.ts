import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
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
import { AppError, ConflictError, PayloadTooLargeError, ValidationError } from '@reps/errors';
import type { IdAllocator } from '../ids/id-allocator';
import type { IdempotencyStore, StoredResponse } from '../idempotency/idempotency-store';
import {
  API_VERSION,
  createIdempotentRunner,
  createWithReservedId,
  errorBody,
  expectedVersion,
  idParam,
  parseOr422,
  send,
  versionedResponse,
} from '../http/command-http';
import type { CommandOutcome, ContactCommandHandler } from './contact-command-handler';
import { encodeConsistencyToken } from './consistency-token';

export { API_VERSION };

export interface ContactRoutesDeps {
  handler: ContactCommandHandler;
  ids: IdAllocator;
  idempotency: IdempotencyStore;
  verifier: TokenVerifier;
  clock: () => Date;
  /** URL-safe random token of at least 16 characters for each new contact. */
  newToken?: () => string;
}

const contactIdParam = (req: Request): number => idParam(req, 'id', 'Contact not found');

const actorOf = (principal: Principal): Actor => principal;

function contactResponse(status: number, outcome: CommandOutcome, location?: string): StoredResponse {
  const consistencyToken = encodeConsistencyToken(outcome.state.id, outcome.version);
  return versionedResponse(status, { contact: toContactResource(outcome.state) }, {
    version: outcome.version,
    consistencyToken,
    ...(location ? { location } : {}),
  });
}

export function createContactRoutes(deps: ContactRoutesDeps): Router {
  const router = Router();
  const newToken = deps.newToken ?? (() => randomBytes(16).toString('base64url'));

  const idempotent = createIdempotentRunner(deps.idempotency, deps.clock);

  for (const scope of ['user', 'company'] as const) {
    const base = `/api/${scope}/crm/${API_VERSION}/contacts`;
    const createSchema = scope === 'user' ? UserContactCreateBody : CompanyContactCreateBody;
    const updateSchema = scope === 'user' ? UserContactUpdateBody : CompanyContactUpdateBody;
    router.use(`/api/${scope}/crm/${API_VERSION}`, requireScope(deps.verifier, scope));

    router.post(base, async (req, res) => {
      const actor = actorOf(principalOf(req));
      const body = parseOr422(parseBody(createSchema, unwrapContactBody(req.body)));
      await idempotent(
        req,
        res,
        createWithReservedId(
          () => deps.ids.next(),
          (contactId) =>
            deps.handler.execute(
              (now) => ({ type: 'CreateContact', contactId, actor, now, token: newToken(), body }),
              { correlationId: requestIdOf(req) },
            ),
          (contactId) => deps.handler.load(contactId),
          (outcome, contactId) => contactResponse(201, outcome, `${base}/${contactId}`),
        ),
      );
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
          // A retry after a failure (or takeover after a crash) reuses the reserved ids: a contact
          // the earlier attempt already stored is answered as created, not as a conflict.
          if (reservedIds) {
            for (const [i, command] of commands.entries()) {
              if (!(outcomes[i] instanceof ConflictError)) continue;
              const stored = await deps.handler.load(command.contactId);
              if (stored) outcomes[i] = stored;
            }
          }
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
