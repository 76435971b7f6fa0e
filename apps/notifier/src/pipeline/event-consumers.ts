import { ContactEvent, SmartlinkEvent, TaskEvent } from '@reps/contracts';
import type { ConsumerOptions, EventBus, EventConsumer, IncomingBatch, IncomingMessage } from '@reps/kafka';
import type { Logger } from '@reps/observability';
import type { ContactNames } from '../store/projections';
import type { NotifierMetrics } from './notifier-metrics';
import type { PushPipeline } from './push-pipeline';

export interface EventConsumersOptions {
  bus: EventBus;
  groupId: string;
  topics: { smartlinks: string; tasks: string; contacts: string };
  pipeline: PushPipeline;
  contactNames: ContactNames;
  metrics: NotifierMetrics;
  logger: Logger;
  now?: () => Date;
}

/** Unknown event types are skipped (additive changes stay in v1); malformed messages are logged and counted. */
function decode<T>(
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
  message: IncomingMessage,
  known: readonly string[],
  skip: (reason: string) => void,
): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch {
    skip('not JSON');
    return undefined;
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && !known.includes(type)) return undefined;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    skip('not a contract-valid event');
    return undefined;
  }
  return parsed.data;
}

/**
 * A consumer that is started again (same group: it resumes from the committed offsets, and every
 * handler is idempotent) when the client stops for good, e.g. fenced out of its group.
 */
async function supervised(
  bus: EventBus,
  options: Omit<ConsumerOptions, 'onCrash'>,
  handle: (batch: IncomingBatch) => Promise<void>,
  logger: Logger,
): Promise<{ stop(): Promise<void> }> {
  let current: EventConsumer | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const start = async (): Promise<void> => {
    const consumer = await bus.consumer({
      ...options,
      onCrash: (error) => {
        logger.error({ err: error, groupId: options.groupId }, 'consumer crashed; starting a new one');
        void consumer.close().catch(() => undefined);
        if (stopped) return;
        timer = setTimeout(() => {
          start().catch((startError: unknown) =>
            logger.error({ err: startError }, 'restarting the consumer failed'),
          );
        }, 1000);
      },
    });
    current = consumer;
    await consumer.run(handle);
  };
  await start();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current?.close();
    },
  };
}

/**
 * Two consumer groups: the push pipeline (SmartLinks and tasks) and the contact-name projection,
 * so a first catch-up over a large contacts topic never holds pushes back. Offsets are committed
 * after each batch is handled; every handler is idempotent, so a redelivered batch is harmless.
 */
export async function startEventConsumers(
  options: EventConsumersOptions,
): Promise<{ stop(): Promise<void> }> {
  const { bus, topics, pipeline, metrics, logger } = options;
  const now = options.now ?? (() => new Date());
  const skipper = (message: IncomingMessage) => (reason: string) => {
    metrics.invalidEvents.inc({ topic: message.topic });
    logger.warn(
      { topic: message.topic, partition: message.partition, offset: message.offset, reason },
      'skipped a message',
    );
  };
  const smartlinkTypes = SmartlinkEvent.options.map((option) => option.shape.type.value);
  const taskTypes = TaskEvent.options.map((option) => option.shape.type.value);
  const contactTypes = ContactEvent.options.map((option) => option.shape.type.value);

  const pushConsumer = await supervised(
    bus,
    { groupId: options.groupId, topics: [topics.smartlinks, topics.tasks] },
    async (batch) => {
      const receivedAt = now();
      if (batch.topic === topics.smartlinks) {
        const events = batch.messages.flatMap(
          (message) => decode(SmartlinkEvent, message, smartlinkTypes, skipper(message)) ?? [],
        );
        await pipeline.onSmartlinkEvents(events, receivedAt);
        return;
      }
      // Task events of one task are on one partition, in order: handled one after the other.
      for (const message of batch.messages) {
        const event = decode(TaskEvent, message, taskTypes, skipper(message));
        if (event) await pipeline.onTaskEvent(event);
        await batch.heartbeat();
      }
    },
    logger,
  );
  const namesConsumer = await supervised(
    bus,
    { groupId: `${options.groupId}-contact-names`, topics: [topics.contacts] },
    async (batch) => {
      await options.contactNames.applyBatch(
        batch.messages.flatMap(
          (message) => decode(ContactEvent, message, contactTypes, skipper(message)) ?? [],
        ),
      );
    },
    logger,
  );
  return {
    async stop() {
      await Promise.all([pushConsumer.stop(), namesConsumer.stop()]);
    },
  };
}
