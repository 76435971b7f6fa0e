import type { Redis } from '@reps/redis';

/**
 * At most one post per attempt of a send job. A process that dies after posting a push (the push
 * service may have delivered it) leaves its job active; once the job's lock expires BullMQ hands
 * it out again as "stalled", with the same `attemptsMade`. Posting again then would show the rep
 * the same push twice, so that attempt is not posted again: in the rare window where the process
 * died before the push left, that push is lost instead (one missing push is the lesser harm to a
 * rep than a duplicate). A retry after a failure the worker saw (429, 5xx, timeout) is a new
 * attempt (`attemptsMade` + 1) and posts again. Found by `npm run chaos` (the notifier SIGKILLed).
 *
 * Returns true when this attempt may post (and records that it did), false when this very attempt
 * already claimed a post before.
 */
export async function claimSendAttempt(
  connection: Redis,
  key: string,
  attemptsMade: number,
  ttlSeconds: number,
): Promise<boolean> {
  const attempt = String(attemptsMade);
  // SET … GET: the claim and the look at the previous one in one atomic step.
  const previous = await connection.set(key, attempt, 'EX', ttlSeconds, 'GET');
  return previous !== attempt;
}
