import type { Request, Response } from 'express';
import { MongoServerError } from 'mongodb';
import type { Principal } from '@reps/auth';
import { invalidListQuery } from '@reps/contracts';
import type { ReadModelCollections } from '@reps/contacts-read-model';
import { NotFoundError, ServiceUnavailableError } from '@reps/errors';
import { decodeConsistencyToken } from '../contacts/consistency-token';
import { awaitConsistency } from '../contacts/read-your-writes';

/**
 * What the read routes of this service share: the API version in their paths, path ids, no stray
 * query, `X-Consistency-Token`, and the 503 of a list that ran out of server time.
 */

export const API_VERSION = 'v202506';

const ID = /^[1-9]\d{0,15}$/;
/** MongoDB's (and FerretDB's) code for a query stopped by `maxTimeMS`. */
const MAX_TIME_MS_EXPIRED = 50;

/** A path id (`:id` unless named); one that cannot exist is simply not found, like any other unknown resource. */
export function pathId(req: Request, notFoundMessage: string, name = 'id'): number {
  const raw = String(req.params[name] ?? '');
  if (!ID.test(raw) || !Number.isSafeInteger(Number(raw))) throw new NotFoundError(notFoundMessage);
  return Number(raw);
}

/** Routes that take no parameters still say which one they got (a 400 naming each). */
export function rejectAnyQuery(query: object): void {
  const keys = Object.keys(query);
  if (keys.length > 0)
    throw invalidListQuery(keys.map((field) => ({ field, message: 'is not a known query parameter' })));
}

/** Server-side time limits turn into a 503 (a scan on FerretDB that took too long), like the contact lists. */
export function boundedList<T>(answer: Promise<T>): Promise<T> {
  return answer.catch((error: unknown) => {
    if (error instanceof MongoServerError && error.code === MAX_TIME_MS_EXPIRED) {
      throw new ServiceUnavailableError(
        'The list took too long to compute; try again or narrow it with filters',
        5,
      );
    }
    throw error;
  });
}

/** Honours `X-Consistency-Token` (of any write), then returns the collections to read. */
export async function consistentReadModels(
  req: Request,
  res: Response,
  principal: Principal,
  deps: { readModels: () => Promise<ReadModelCollections>; consistencyWaitMs: number },
): Promise<ReadModelCollections> {
  const header = req.get('x-consistency-token');
  if (header !== undefined) {
    res.setHeader(
      'X-Consistency',
      await awaitConsistency(
        deps.readModels,
        principal,
        decodeConsistencyToken(header),
        deps.consistencyWaitMs,
      ),
    );
  }
  return deps.readModels();
}
