/**
 * Our own small surface over the Kafka client. Services depend on these types only, so the
 * client library (kafkajs today) can be replaced without touching them.
 */

export interface OutgoingMessage {
  /** Partitioning key: all messages with one key keep their order (one aggregate id). */
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

export interface IncomingBatch {
  topic: string;
  partition: number;
  messages: IncomingMessage[];
  /** Lets a long batch handler keep its group membership alive. */
  heartbeat: () => Promise<void>;
  /**
   * Changes every time this consumer (re)joins its group, i.e. whenever its partitions may have
   * been taken away and given back: anything tied to owning a partition (a write fence) is
   * re-established when it changes.
   */
  assignment: number;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Retention in milliseconds; -1 keeps messages forever (event topics that feed rebuilds). */
  retentionMs: number;
  /** Extra topic-level configs, e.g. `cleanup.policy`. */
  config?: Record<string, string>;
}

export interface TopicAdmin {
  /** Creates missing topics with explicit partitions and retention; existing ones are left alone. */
  ensureTopics(specs: TopicSpec[]): Promise<void>;
  deleteTopics(names: string[]): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Committed offsets of a group next to the log end offsets, per partition. */
  groupLag(groupId: string, topic: string): Promise<{ partition: number; committed: number; end: number; lag: number }[]>;
  close(): Promise<void>;
}

export interface EventProducer {
  /** Resolves once every message is acknowledged by all in-sync replicas (acks=all). */
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts; default true (event topics are replayable). */
  fromBeginning?: boolean;
  /**
   * How long the group waits for a member that stopped heartbeating before rebalancing its
   * partitions to the others (default 30 s). A crashed member holds its partitions that long,
   * and a rebalance waits up to twice that for members to rejoin.
   */
  sessionTimeoutMs?: number;
  /**
   * Called when the consumer stopped for good on an error the client will not retry (e.g. it
   * was fenced out of its group): the owner decides whether to start a new consumer or exit.
   */
  onCrash?: (error: Error) => void;
  /**
   * How many partitions' batches are handed to `handle` at once (default 1). Batches of one
   * partition never overlap; their offsets are committed together when they finish together.
   */
  partitionsConsumedConcurrently?: number;
  /**
   * A fetch waits until this many bytes are available or `maxWaitTimeInMs` passed (defaults 1 and
   * 5000): under a trickle, a small wait turns one-message batches into fewer, larger ones.
   */
  minBytes?: number;
  maxWaitTimeInMs?: number;
}

export interface EventConsumer {
  /**
   * Starts consuming. Each batch's offsets are committed only after `handle` resolves, so a
   * crash mid-batch redelivers it (at-least-once); handlers must be idempotent.
   */
  run(handle: (batch: IncomingBatch) => Promise<void>): Promise<void>;
  /** Stops fetching, lets the in-flight batch finish, commits and leaves the group. */
  close(): Promise<void>;
}

export interface EventBus {
  admin(): Promise<TopicAdmin>;
  producer(): Promise<EventProducer>;
  consumer(options: ConsumerOptions): Promise<EventConsumer>;
  /** Resolves when the cluster answers a metadata request. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
