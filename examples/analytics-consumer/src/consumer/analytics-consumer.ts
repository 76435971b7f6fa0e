import { Kafka, KafkaJSDeleteGroupsError, logLevel, type Admin } from 'kafkajs';
import type { ClassifyMessage } from '../events/event-classifier';
import { createTally, recordMessage, type Tally } from '../counts/tally';

export interface AnalyticsConsumerOptions {
  brokers: string[];
  groupId: string;
  /** Topics to read; those that do not exist are skipped (and reported in `missingTopics`). */
  topics: string[];
  /** Rebuild from the start of each topic (see `AnalyticsConfig.fromBeginning`). */
  fromBeginning: boolean;
  classify: ClassifyMessage;
  /** Continue from an existing tally (tests use this to replay into the same state). */
  tally?: Tally;
  clientId?: string;
  /** Where invalid events are reported, one line each. */
  log?: (line: string) => void;
  /** Called when the client gave up for good (it retries transient errors by itself). */
  onCrash?: (error: Error) => void;
  /** How long a start waits for the previous members of the group to leave (default 45 s). */
  groupFreeTimeoutMs?: number;
}

export interface RunningAnalyticsConsumer {
  readonly tally: Tally;
  /** The topics it subscribed to. */
  readonly topics: string[];
  readonly missingTopics: string[];
  /** Messages on the subscribed topics not processed yet; 0 means caught up. */
  lag(): Promise<number>;
  /** `Date.now()` when the last message was processed; undefined before the first. */
  lastMessageAt(): number | undefined;
  /** Stops fetching, lets the message in hand finish, commits and leaves the group. */
  stop(): Promise<void>;
}

const SESSION_TIMEOUT_MS = 10_000;
// Kafka protocol error codes (DeleteGroups).
const NON_EMPTY_GROUP = 68;
const GROUP_ID_NOT_FOUND = 69;

/**
 * The I/O shell around the fold: a plain kafkajs consumer in its own group. Kafka gives
 * at-least-once delivery, in order per contact (the message key is the contact id); the fold
 * is idempotent, so offsets are committed by kafkajs' auto-commit after each message is
 * processed, with no extra bookkeeping here.
 */
export async function startAnalyticsConsumer(
  options: AnalyticsConsumerOptions,
): Promise<RunningAnalyticsConsumer> {
  const log = options.log ?? (() => undefined);
  const tally = options.tally ?? createTally();
  const kafka = new Kafka({
    clientId: options.clientId ?? 'analytics-consumer-example',
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = options.topics.filter((topic) => existing.has(topic));
    const missingTopics = options.topics.filter((topic) => !existing.has(topic));
    if (topics.length === 0) {
      throw new Error(
        `none of the topics exist yet: ${options.topics.join(', ')} (is the stack running? npm start)`,
      );
    }
    if (options.fromBeginning)
      await forgetCommittedOffsets(admin, options.groupId, options.groupFreeTimeoutMs ?? 45_000);

    const consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) options.onCrash?.(payload.error);
    });
    const positions = new Map<string, bigint>();
    let lastMessageAt: number | undefined;
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: options.fromBeginning });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const classified = options.classify(message.value);
        recordMessage(tally, classified);
        if (classified.kind === 'invalid') {
          log(
            `invalid event at ${topic}/${partition}@${message.offset} (type ${classified.type ?? '?'}): ${classified.reason}`,
          );
        }
        positions.set(`${topic}/${partition}`, BigInt(message.offset) + 1n);
        lastMessageAt = Date.now();
      },
    });

    let stopping: Promise<void> | undefined;
    return {
      tally,
      topics,
      missingTopics,
      lastMessageAt: () => lastMessageAt,
      async lag() {
        let lag = 0n;
        const committed = options.fromBeginning
          ? undefined
          : await committedOffsets(admin, options.groupId, topics);
        for (const topic of topics) {
          for (const p of await admin.fetchTopicOffsets(topic)) {
            const key = `${topic}/${p.partition}`;
            const start = options.fromBeginning ? BigInt(p.low) : (committed?.get(key) ?? BigInt(p.high));
            const position = positions.get(key) ?? start;
            if (BigInt(p.high) > position) lag += BigInt(p.high) - position;
          }
        }
        return Number(lag);
      },
      stop() {
        stopping ??= (async () => {
          await consumer.disconnect();
          await admin.disconnect();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await admin.disconnect();
    throw error;
  }
}

/**
 * The counts are kept in memory, so a start that rebuilds them must read every topic from its
 * beginning even if the group committed offsets in an earlier run: deleting the (empty) group
 * drops them, and `fromBeginning` then applies. A member of an earlier run that died without
 * leaving keeps the group non-empty until its session times out, hence the wait.
 */
async function forgetCommittedOffsets(admin: Admin, groupId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await admin.deleteGroups([groupId]);
      return;
    } catch (error) {
      const codes = error instanceof KafkaJSDeleteGroupsError ? error.groups.map((g) => g.errorCode) : [];
      if (codes.length > 0 && codes.every((code) => code === GROUP_ID_NOT_FOUND)) return;
      if (!codes.includes(NON_EMPTY_GROUP)) throw error;
      if (Date.now() > deadline) {
        throw new Error(
          `consumer group ${groupId} still has members after ${timeoutMs} ms: another instance is running ` +
            '(this example keeps its counts in memory, so run one instance per group, or set ANALYTICS_GROUP_ID)',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function committedOffsets(
  admin: Admin,
  groupId: string,
  topics: string[],
): Promise<Map<string, bigint>> {
  const committed = new Map<string, bigint>();
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
    for (const p of partitions)
      if (BigInt(p.offset) >= 0n) committed.set(`${topic}/${p.partition}`, BigInt(p.offset));
  }
  return committed;
}
