import type { ReadModelCatalog, ReadModelCollections } from '@reps/contacts-read-model';
import type { ConsumerOptions, EventBus, EventConsumer } from '@reps/kafka';
import type { Logger } from '@reps/observability';
import type { BatchHandler } from './topic-router';

export interface ProjectionRunnerDeps {
  bus: EventBus;
  catalog: ReadModelCatalog;
  topic: string;
  /** Further topics the same consumer reads into the same generation (e.g. `crm.groups.v1`); the projection routes by `batch.topic`. */
  moreTopics?: string[];
  groupIdFor: (generation: string) => string;
  /** The projection writing into the given collections. */
  projectionFor: (collections: ReadModelCollections, groupId: string) => BatchHandler;
  logger: Logger;
  pollMs: number;
  sessionTimeoutMs?: number;
  /** Batch sizing and concurrency of the consumer (`ConsumerOptions`). */
  consumerTuning?: Pick<ConsumerOptions, 'partitionsConsumedConcurrently' | 'minBytes' | 'maxWaitTimeInMs'>;
}

export interface ProjectionRunner {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The consumer group currently running (its lag is the projection's lag). */
  groupId(): string;
}

/**
 * Runs the consumer for the active generation (restarting it if it crashes) and follows a swap: when a rebuild activates
 * new collections, the running consumer stops (its in-flight batch finishes and commits) and
 * one for the new generation starts from the offsets the rebuild committed.
 */
export function createProjectionRunner(deps: ProjectionRunnerDeps): ProjectionRunner {
  let consumer: EventConsumer | undefined;
  let generation = '';
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let crashed = false;
  let switching: Promise<void> = Promise.resolve();

  async function run(next: string): Promise<void> {
    await deps.catalog.ensureIndexes(next);
    const groupId = deps.groupIdFor(next);
    const projection = deps.projectionFor(deps.catalog.collections(next), groupId);
    const created = await deps.bus.consumer({
      groupId,
      topics: [deps.topic, ...(deps.moreTopics ?? [])],
      fromBeginning: true,
      ...(deps.sessionTimeoutMs ? { sessionTimeoutMs: deps.sessionTimeoutMs } : {}),
      ...deps.consumerTuning,
      // Fenced out of the group or otherwise stopped for good: start a fresh consumer (same
      // group, so it resumes from the committed offsets; re-applying is idempotent).
      onCrash: (error) => {
        deps.logger.error({ err: error, groupId }, 'consumer crashed; starting a new one');
        crashed = true;
      },
    });
    consumer = created;
    generation = next;
    await created.run((batch) => projection.handleBatch(batch));
    deps.logger.info({ generation: next, groupId }, 'projecting into the active read model generation');
  }

  async function follow(): Promise<void> {
    if (crashed && !stopped) {
      crashed = false;
      await consumer?.close().catch(() => undefined);
      consumer = undefined;
      await run(generation);
      return;
    }
    const active = await deps.catalog.activeGeneration();
    if (stopped || !active || active === generation) return;
    deps.logger.info({ from: generation, to: active }, 'active generation changed; switching');
    await consumer?.close();
    consumer = undefined;
    await run(active);
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      switching = follow()
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'checking the active generation failed; will retry'))
        .finally(schedule);
    }, deps.pollMs);
    timer.unref();
  }

  return {
    async start() {
      stopped = false;
      await run(await deps.catalog.ensureActiveGeneration());
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await switching;
      await consumer?.close();
      consumer = undefined;
    },
    groupId: () => deps.groupIdFor(generation),
  };
}
