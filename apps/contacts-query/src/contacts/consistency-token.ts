import { BadRequestError } from '@reps/errors';

export interface ConsistencyToken {
  contactId: number;
  version: number;
}

const TOKEN = /^c1:([1-9]\d{0,15}):([1-9]\d{0,15})$/;

/**
 * Decodes contacts-command's `X-Consistency-Token` (`base64url("c1:<contactId>:<version>")`).
 * A token that is not one is the client's mistake and says so, rather than silently reading stale.
 */
export function decodeConsistencyToken(header: string): ConsistencyToken {
  const match = TOKEN.exec(Buffer.from(header.trim(), 'base64url').toString('utf8'));
  if (!match?.[1] || !match[2]) {
    throw new BadRequestError('X-Consistency-Token is not a token from a write of this API', [
      { field: 'X-Consistency-Token', message: 'is not a consistency token' },
    ]);
  }
  return { contactId: Number(match[1]), version: Number(match[2]) };
}
