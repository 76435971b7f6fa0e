import type { IncomingBatch } from '@reps/kafka';
import type { CommandRange, Fences, FenceToken } from '@reps/mongo';
import type { Logger } from '@reps/observability';

export interface PartitionFenceDeps {
  fences: Fences;
  /** The fence key of a topic partition's share of the read models written (see `fenceKey`). */
  fenceKey: (topic: string, partition: number) => string;
  /** Who claims (shown in the fence documents). */
  holder: string;
  /**
   * How long a new claim waits before the first read: a command of the previous holder that
   * passed its fence check just before the claim lands meanwhile, so this writer reads it and
   * writes after it.
   */
  settleMs?: number;
  logger: Logger;
  clock?: () => Date;
}

/** The fence check of a batch's writes: resolves while this consumer still holds the partition. */
export type FenceCheck = () => Promise<void>;

/**
 * The fence as a split write's `beforeCommand`: checked before a command that replaces or updates,
 * not before one of inserts only. An insert lands only where no document exists yet, and what it
 * inserts is a pure function of the events (the same document the partition's new owner would
 * insert), so an insert of a writer that lost the partition either is refused as a duplicate `_id`
 * or stores exactly what the owner stores; only a replace can put an older state over a newer one.
 * A batch of creates thus writes without a fence lookup (issue 14: one per command was half the
 * projection's database commands per created contact).
 */
export function fenceUpdates(check: FenceCheck): (command: CommandRange) => Promise<void> {
  return (command) => (command.updates > 0 ? check() : Promise.resolve());
}

/**
 * Write fences per partition (see docs/read-side.md): a consumer claims a partition's fence key
 * when it first writes the partition after (re)joining its group, and checks its claim before
 * every write command; a consumer that lost the partition stops writing once the new owner
 * claimed it. A fenced-out consumer never claims again within the same assignment (that would
 * fence out the rightful owner); it fails the batch, and Kafka decides after the next rejoin.
 */
export function createPartitionFence(deps: PartitionFenceDeps): (batch: IncomingBatch) => Promise<FenceCheck> {
  const settleMs = deps.settleMs ?? 1000;
  const clock = deps.clock ?? (() => new Date());
  const claims = new Map<string, { assignment: number; token: FenceToken }>();

  return async (batch) => {
    const key = deps.fenceKey(batch.topic, batch.partition);
    let claim = claims.get(key);
    if (!claim || claim.assignment !== batch.assignment) {
      const token = await deps.fences.claim(key, deps.holder, clock());
      if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
      claim = { assignment: batch.assignment, token };
      claims.set(key, claim);
      deps.logger.info({ fence: key, epoch: token.epoch }, 'claimed the write fence of a partition');
    }
    const token = claim.token;
    return () => deps.fences.check(token);
  };
}
