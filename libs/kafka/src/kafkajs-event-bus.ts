import { Kafka, Partitioners, logLevel as KafkaLogLevel, type Admin, type LogEntry, type Consumer } from 'kafkajs';
import type {
  ConsumerOptions,
  EventBus,
  EventConsumer,
  EventProducer,
  IncomingMessage,
  TopicAdmin,
  TopicSpec,
} from './event-bus';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  /** Any pino-like logger; kafkajs' own logs are forwarded to it. */
  logger?: { debug: LogFn; info: LogFn; warn: LogFn; error: LogFn };
  connectionTimeoutMs?: number;
}
type LogFn = (obj: object, msg?: string) => void;

function toLogCreator(logger: KafkaBusOptions['logger']) {
  return () =>
    ({ level, log }: LogEntry) => {
      if (!logger) return;
      const { message, ...extra } = log;
      const entry = { kafka: extra };
      if (level === KafkaLogLevel.ERROR) logger.error(entry, message);
      else if (level === KafkaLogLevel.WARN) logger.warn(entry, message);
      else if (level === KafkaLogLevel.INFO) logger.info(entry, message);
      else logger.debug(entry, message);
    };
}

function headersToStrings(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    const first = Array.isArray(value) ? value[0] : value;
    out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Kafka error that says "not yet" (kafkajs marks them retriable), not "never". */
function isRetriable(error: unknown): boolean {
  const e = error as { retriable?: unknown; type?: unknown; originalError?: unknown } | null;
  if (e?.retriable === true || e?.type === 'UNKNOWN_TOPIC_OR_PARTITION' || e?.type === 'LEADER_NOT_AVAILABLE') return true;
  // kafkajs' "retries exhausted" wraps the last error.
  return e?.originalError !== undefined && isRetriable(e.originalError);
}

/**
 * Waits until every partition of `topics` has a leader. kafkajs' own wait (createTopics with
 * waitForLeaders) retries only LEADER_NOT_AVAILABLE, but a fresh KRaft broker answers
 * UNKNOWN_TOPIC_OR_PARTITION for a moment after creating a topic, and a topic another service is
 * creating at the same time may not be visible yet: both are retried here, within `timeoutMs`.
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number, pauseMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      const led = found.filter((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (led.length === topics.length) return;
    } catch (error) {
      if (!isRetriable(error) || Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms`);
    await sleep(pauseMs);
  }
}

export function createTopicAdmin(admin: Admin, { leaderTimeoutMs = 30_000, pauseMs = 200 } = {}): TopicAdmin {
  return {
    async ensureTopics(specs: TopicSpec[]) {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((spec) => !existing.has(spec.name));
      if (missing.length === 0) return;
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((spec) => ({
            topic: spec.name,
            numPartitions: spec.partitions,
            configEntries: Object.entries({ 'retention.ms': String(spec.retentionMs), ...spec.config }).map(
              ([name, value]) => ({ name, value }),
            ),
          })),
        });
      } catch (error) {
        // Created (by us or by a service starting at the same time) but not visible yet: wait
        // below. npm run chaos found contacts-command failing to start on a fresh cluster here.
        if (!isRetriable(error)) throw error;
      }
      await waitForLeaders(admin, missing.map((spec) => spec.name), leaderTimeoutMs, pauseMs);
    },
    async deleteTopics(names) {
      if (names.length > 0) await admin.deleteTopics({ topics: names });
    },
    listTopics: () => admin.listTopics(),
    async groupLag(groupId, topic) {
      const [committed, ends] = await Promise.all([
        admin.fetchOffsets({ groupId, topics: [topic] }),
        admin.fetchTopicOffsets(topic),
      ]);
      const committedByPartition = new Map(
        (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
      );
      return ends.map((end) => {
        const c = Math.max(0, committedByPartition.get(end.partition) ?? 0);
        const e = Number(end.high);
        return { partition: end.partition, committed: c, end: e, lag: Math.max(0, e - c) };
      });
    },
    close: () => admin.disconnect(),
  };
}

function createConsumer(consumer: Consumer, options: ConsumerOptions): EventConsumer {
  return {
    async run(handle) {
      let assignment = 0;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        assignment++;
      });
      if (options.onCrash) {
        const onCrash = options.onCrash;
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          // kafkajs restarts by itself after retriable errors; only a final stop is reported.
          if (!payload.restart) onCrash(payload.error);
        });
      }
      // Offsets of batches that finish in the same turn (partitions handled concurrently) go in one commit.
      let pending = new Map<string, { topic: string; partition: number; offset: string }>();
      let scheduled: Promise<void> | undefined;
      const commit = (topic: string, partition: number, offset: string): Promise<void> => {
        pending.set(`${topic}|${partition}`, { topic, partition, offset });
        scheduled ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
          const offsets = [...pending.values()];
          pending = new Map();
          scheduled = undefined;
          return consumer.commitOffsets(offsets);
        });
        return scheduled;
      };
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          if (!isRunning() || isStale() || batch.messages.length === 0) return;
          const messages: IncomingMessage[] = batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key ? m.key.toString('utf8') : null,
            value: m.value,
            headers: headersToStrings(m.headers),
            timestamp: m.timestamp,
          }));
          await handle({ topic: batch.topic, partition: batch.partition, messages, heartbeat, assignment });
          // Only now is the batch durable downstream; committing earlier could lose it on a crash.
          // (With autoCommit off, kafkajs' commitOffsetsIfNecessary commits nothing: commit explicitly.)
          const last = messages[messages.length - 1];
          if (!last) return;
          resolveOffset(last.offset);
          await commit(batch.topic, batch.partition, (BigInt(last.offset) + 1n).toString());
        },
      });
    },
    async close() {
      await consumer.stop();
      await consumer.disconnect();
    },
  };
}

/** The kafkajs implementation of our `EventBus`. */
export function createKafkaEventBus(options: KafkaBusOptions): EventBus {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    logLevel: KafkaLogLevel.WARN,
    logCreator: toLogCreator(options.logger),
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5000 },
  });
  const open: { close(): Promise<void> }[] = [];
  let probe: Admin | undefined;

  const track = <T extends { close(): Promise<void> }>(resource: T): T => {
    open.push(resource);
    return resource;
  };

  return {
    async admin() {
      const admin = kafka.admin();
      await admin.connect();
      return track(createTopicAdmin(admin));
    },
    async producer() {
      const producer = kafka.producer({
        // Idempotence + acks=all: a retried send never duplicates or reorders within a partition.
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      return track<EventProducer>({
        async send(topic, messages) {
          if (messages.length === 0) return;
          await producer.send({ topic, acks: -1, messages });
        },
        close: () => producer.disconnect(),
      });
    },
    async consumer(consumerOptions) {
      const consumer = kafka.consumer({
        groupId: consumerOptions.groupId,
        sessionTimeout: consumerOptions.sessionTimeoutMs ?? 30_000,
        // A member that died never rejoins: a rebalance waits this long for it before going on.
        rebalanceTimeout: 2 * (consumerOptions.sessionTimeoutMs ?? 30_000),
        // Kafka's rule of thumb: heartbeat at most a third of the session timeout.
        heartbeatInterval: Math.min(3000, Math.floor((consumerOptions.sessionTimeoutMs ?? 30_000) / 3)),
        allowAutoTopicCreation: false,
        ...(consumerOptions.minBytes !== undefined ? { minBytes: consumerOptions.minBytes } : {}),
        ...(consumerOptions.maxWaitTimeInMs !== undefined ? { maxWaitTimeInMs: consumerOptions.maxWaitTimeInMs } : {}),
      });
      return track(createConsumer(consumer, consumerOptions));
    },
    async ping() {
      if (!probe) {
        probe = kafka.admin();
        await probe.connect();
      }
      await probe.describeCluster();
    },
    async close() {
      const closing = open.splice(0).map((resource) => resource.close().catch(() => undefined));
      if (probe) closing.push(probe.disconnect());
      probe = undefined;
      await Promise.all(closing);
    },
  };
}
