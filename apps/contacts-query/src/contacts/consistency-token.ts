import { BadRequestError } from '@reps/errors';

/** A contact version (`c1`) or a group version (`g1`) that a write produced. */
export type ConsistencyToken =
  | { contactId: number; version: number }
  | { groupId: number; version: number }
  | { noteId: number; version: number }
  | { taskId: number; version: number }
  | { smartlinkId: number; version: number };

const TOKEN = /^([cgnts])1:([1-9]\d{0,15}):([1-9]\d{0,15})$/;

/**
 * Decodes contacts-command's `X-Consistency-Token` (`base64url("c1:<contactId>:<version>")`, or
 * `g1:<groupId>:<version>` from a group write).
 * A token that is not one is the client's mistake and says so, rather than silently reading stale.
 */
export function decodeConsistencyToken(header: string): ConsistencyToken {
  const match = TOKEN.exec(Buffer.from(header.trim(), 'base64url').toString('utf8'));
  if (!match?.[1] || !match[2] || !match[3]) {
    throw new BadRequestError('X-Consistency-Token is not a token from a write of this API', [
      { field: 'X-Consistency-Token', message: 'is not a consistency token' },
    ]);
  }
  const version = Number(match[3]);
  const id = Number(match[2]);
  switch (match[1]) {
    case 'g':
      return { groupId: id, version };
    case 'n':
      return { noteId: id, version };
    case 't':
      return { taskId: id, version };
    case 's':
      return { smartlinkId: id, version };
    default:
      return { contactId: id, version };
  }
}
