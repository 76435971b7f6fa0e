import type { Db } from 'mongodb';
import type { EventProducer } from '@reps/kafka';
import { ensureIndexes, type ServerTraits } from '@reps/mongo';
import type { Logger } from '@reps/observability';
import type { Registry } from 'prom-client';
import { toKafkaMessage } from '../contacts/contact-envelope';
import {
  createMongoEventStore,
  eventStoreIndexes,
  outboxIndexes,
  type CommitDoc,
  type EventStore,
  type OutboxDoc,
  type StorableEvent,
} from './mongo-event-store';
import { createOutboxRelay, type OutboxRelay } from './outbox-relay';
import { createCommitBatcher, type CommitBatcher } from './commit-batcher';

export interface AggregateStreamsDeps {
  /** The aggregate's name: its collections are `<aggregate>_commits` and `<aggregate>_outbox`, and the relay's metrics label. */
  aggregate: string;
  topic: string;
  producer: Pick<EventProducer, 'send'>;
  logger: Logger;
  metrics: Registry;
  relayIntervalMs: number;
  /** What the database server is (asked once per process): which indexes are worth creating. */
  traits: Pick<ServerTraits, 'secondaryIndexesServeQueries'>;
  /** Most commits one flush stores (`COMMIT_BATCH_MAX`). */
  maxBatch?: number;
  /** Test-only fault point between "stored" and "published" (see FAULT_INJECTION). */
  afterStore?: () => void;
}

/** What every aggregate's streams of one process share (all but the aggregate, its topic and test hooks). */
export type StreamSettings = Omit<AggregateStreamsDeps, 'aggregate' | 'topic' | 'afterStore'>;

export interface AggregateStreams<E extends StorableEvent> {
  store: EventStore<E>;
  relay: OutboxRelay<E>;
  /** Where handlers commit decisions: group commit over `store`, published through `relay`. */
  commits: CommitBatcher<E>;
}

/**
 * One aggregate's streams and outbox (indexed), its commit batcher, and the relay publishing them on its own topic.
 * Each aggregate has its own outbox and relay, so one aggregate's backlog never holds up another's.
 */
export async function openAggregateStreams<E extends StorableEvent & Parameters<typeof toKafkaMessage>[0]>(
  db: Db,
  deps: AggregateStreamsDeps,
): Promise<AggregateStreams<E>> {
  const commits = db.collection<CommitDoc<E>>(`${deps.aggregate}_commits`);
  const outbox = db.collection<OutboxDoc>(`${deps.aggregate}_outbox`);
  await Promise.all([
    ensureIndexes(commits, eventStoreIndexes, deps.traits),
    ensureIndexes(outbox, outboxIndexes, deps.traits),
  ]);
  const store = createMongoEventStore<E>(commits, outbox);
  const relay = createOutboxRelay<E>({
    store,
    publish: (events) => deps.producer.send(deps.topic, events.map(toKafkaMessage)),
    logger: deps.logger,
    metrics: deps.metrics,
    aggregate: deps.aggregate,
    intervalMs: deps.relayIntervalMs,
  });
  const batcher = createCommitBatcher<E>({
    store,
    relay,
    clock: () => new Date(),
    ...(deps.maxBatch !== undefined ? { maxBatch: deps.maxBatch } : {}),
    ...(deps.afterStore ? { afterStore: deps.afterStore } : {}),
  });
  return { store, relay, commits: batcher };
}
