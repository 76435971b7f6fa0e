import type { Request, Response } from 'express';
import { principalOf, type Principal } from '@reps/auth';
import { BadRequestError, ConflictError, NotFoundError, ValidationError, type AppError } from '@reps/errors';
import type { IdempotencyStore, StoredResponse } from '../idempotency/idempotency-store';

/**
 * What every write route of this service shares: path ids, `If-Match`, sending a stored
 * response, the 422 of a body, and `Idempotency-Key` handling.
 */

export const API_VERSION = 'v202506';

const ID = /^[1-9]\d{0,15}$/;
const IF_MATCH = /^(?:W\/)?"(\d{1,15})"$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** A path id; one that cannot exist is simply not found, like any other unknown resource. */
export function idParam(req: Request, name: string, notFoundMessage: string): number {
  const raw = String(req.params[name] ?? '');
  if (!ID.test(raw) || !Number.isSafeInteger(Number(raw))) throw new NotFoundError(notFoundMessage);
  return Number(raw);
}

/** The version in `If-Match`; `undefined` (absent or `*`) means "whatever is current". */
export function expectedVersion(req: Request): number | undefined {
  const header = req.get('if-match');
  if (header === undefined || header.trim() === '*') return undefined;
  const match = IF_MATCH.exec(header.trim());
  if (!match?.[1]) throw new BadRequestError('If-Match must be an ETag from a previous response, e.g. W/"3"');
  return Number(match[1]);
}

/** `{ expectedVersion }` when the request carries `If-Match`, for a handler's context. */
export function versionContext(req: Request): { expectedVersion?: number } {
  const version = expectedVersion(req);
  return version !== undefined ? { expectedVersion: version } : {};
}

/**
 * The answer to a write that produced `version` of an aggregate: the version as a weak `ETag` (sent
 * back as `If-Match`), the `X-Consistency-Token` reads wait on, and `Location` for a create.
 */
export function versionedResponse(
  status: number,
  body: unknown,
  { version, consistencyToken, location }: { version: number; consistencyToken: string; location?: string },
): StoredResponse {
  const headers: Record<string, string> = { etag: `W/"${version}"`, 'x-consistency-token': consistencyToken };
  if (location) headers['location'] = location;
  return { status, body, headers };
}

/** The 204 of a delete: no body and no `ETag` (nothing to send back), only the token reads wait on. */
export const deletedResponse = (consistencyToken: string): StoredResponse => ({
  status: 204,
  body: undefined,
  headers: { 'x-consistency-token': consistencyToken },
});

export function send(res: Response, response: StoredResponse): void {
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (response.body === undefined) res.status(response.status).end();
  else res.status(response.status).json(response.body);
}

export function parseOr422<T>(
  result: { ok: true; value: T } | { ok: false; issues: { field: string; message: string }[] },
): T {
  if (!result.ok) throw new ValidationError(result.issues);
  return result.value;
}

export function errorBody(error: AppError) {
  return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
}

const principalKey = (p: Principal): string =>
  p.scope === 'user' ? `user:${p.companyId}:${p.userId}` : `company:${p.companyId}`;

/** Produces a response; may allocate ids (`reserve` records them before writing, for a takeover after a crash). */
export type Producer = (
  reservedIds: number[] | undefined,
  reserve: (ids: number[]) => Promise<void>,
) => Promise<StoredResponse>;

/**
 * Runs `produce` at most once per (principal, Idempotency-Key): a retry with the same body
 * replays the stored response, another body is a 409. Without the header it just runs.
 */
export function createIdempotentRunner(idempotency: IdempotencyStore, clock: () => Date) {
  return async function idempotent(req: Request, res: Response, produce: Producer): Promise<void> {
    const key = req.get('idempotency-key');
    if (key === undefined) {
      send(res, await produce(undefined, async () => undefined));
      return;
    }
    if (!IDEMPOTENCY_KEY.test(key))
      throw new BadRequestError('Idempotency-Key must be 1-255 visible ASCII characters');
    const claim = await idempotency.claim(
      principalKey(principalOf(req)),
      key,
      { method: req.method, path: req.path, body: req.body ?? null },
      clock(),
    );
    switch (claim.kind) {
      case 'replay':
        res.setHeader('idempotent-replayed', 'true');
        send(res, claim.response);
        return;
      case 'mismatch':
        throw new ConflictError(
          'This Idempotency-Key was already used with a different request',
          'idempotency_key_reused',
        );
      case 'in_progress':
        throw new ConflictError(
          'A request with this Idempotency-Key is still in progress',
          'idempotency_key_in_progress',
        );
      case 'claimed': {
        let response: StoredResponse;
        try {
          response = await produce(claim.reservedIds, (ids) => idempotency.reserve(claim.id, ids));
        } catch (error) {
          // Keeps the ids it reserved (the error may have come after the write): see release().
          await idempotency.release(claim.id).catch(() => undefined);
          throw error;
        }
        await idempotency.complete(claim.id, response);
        send(res, response);
        return;
      }
      default: {
        const unreachable: never = claim;
        throw new Error(`unknown claim ${JSON.stringify(unreachable)}`);
      }
    }
  };
}

/**
 * The producer of a create that allocates one id: the id is reserved before the write, so a retry
 * that takes over a request which died keeps it; when that request had already stored the resource
 * (the retry's create is a conflict), the retry answers with what it stored.
 */
export function createWithReservedId<O>(
  nextId: () => Promise<number>,
  create: (id: number) => Promise<O>,
  load: (id: number) => Promise<O | undefined>,
  respond: (outcome: O, id: number) => StoredResponse,
): Producer {
  return async (reservedIds, reserve) => {
    const id = reservedIds?.[0] ?? (await nextId());
    await reserve([id]);
    try {
      return respond(await create(id), id);
    } catch (error) {
      const stored = reservedIds && error instanceof ConflictError ? await load(id) : undefined;
      if (!stored) throw error;
      return respond(stored, id);
    }
  };
}
