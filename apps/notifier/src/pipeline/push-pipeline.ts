import { createHash } from 'node:crypto';
import { DelayedError, UnrecoverableError, type Job, type Queue, type Worker } from 'bullmq';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import {
  DeliveryJob,
  SendJob,
  SmartlinkIntakeJob,
  type PushPayload,
  type PushRecipient,
  type SmartlinkEvent,
  type TaskEvent,
} from '@reps/contracts';
import type { Logger } from '@reps/observability';
import { createTypedQueue, createTypedWorker, type Redis, type TypedQueue } from '@reps/redis';
import { claimSendAttempt } from './send-attempts';
import {
  digestPush,
  quietHoursEnd,
  reminderPush,
  smartlinkPush,
  type BurstEntry,
} from '../delivery/push-messages';
import type { WebPushSender } from '../delivery/web-push-sender';
import type { ContactNames, TaskReminders } from '../store/projections';
import type { SettingsStore } from '../store/settings-store';
import type { StoredSubscription, SubscriptionStore } from '../store/subscription-store';
import type { NotifierMetrics } from './notifier-metrics';
import { evolveTaskReminder } from './task-reminder-state';

/**
 * The push pipeline on three BullMQ queues:
 *
 * 1. `notifier-intake` — one job per SmartLink event, job id = the event id: a redelivered or
 *    replayed event finds its job already there and adds nothing. The job files the event into
 *    the (rep, contact) burst (a Redis hash keyed by event id) and adds the burst's delivery job.
 * 2. `notifier-deliveries` — one job per push: a burst (delayed by PUSH_COALESCE_MS and
 *    deduplicated per (rep, contact), so the window's events become one push) or a task reminder
 *    (delayed until due_at, job id = the id of the event that set that schedule). At run time it
 *    applies the rep's settings and quiet hours (the job waits, and the burst keeps collecting) and
 *    the per-rep rate limit: a burst over the limit moves into the rep's overflow, which one
 *    digest job per rep pushes as soon as the limit allows ("3 contacts were active — …"), so
 *    the excess is coalesced, never dropped. Then it fans out one send job per device.
 * 3. `notifier-sends` — one encrypted Web Push to one device, retried on its own with
 *    exponential backoff (a longer Retry-After wins); 404/410 deletes the subscription; other
 *    4xx fail at once. Failed jobs are kept for inspection (Bull Board at /admin/queues).
 */

export const QUEUE_NAMES = {
  intake: 'notifier-intake',
  deliveries: 'notifier-deliveries',
  sends: 'notifier-sends',
} as const;

export interface PushPipelineOptions {
  connection: Redis;
  prefix: string;
  coalesceMs: number;
  ratePerMinute: number;
  rateWindowMs: number;
  maxEventAgeMs: number;
  reminderMaxLateMs: number;
  sendAttempts: number;
  retryBaseMs: number;
  appBaseUrl: string;
  subscriptions: SubscriptionStore;
  settings: SettingsStore;
  contactNames: ContactNames;
  taskReminders: TaskReminders;
  sender: WebPushSender;
  metrics: NotifierMetrics;
  logger: Logger;
  now?: () => Date;
}

export interface PushPipeline {
  queues: Queue[];
  /** Files a batch of SmartLink events as intake jobs (job id = event id); other types are ignored. */
  onSmartlinkEvents(events: SmartlinkEvent[], receivedAt: Date): Promise<void>;
  onTaskEvent(event: TaskEvent): Promise<void>;
  /** Stops the workers (in-flight jobs finish) and closes the queues. */
  close(): Promise<void>;
}

/** Thrown by a send that may succeed later; carries the push service's Retry-After. */
class RetryableSendError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = 'RetryableSendError';
  }
}

const KEEP_COMPLETED = { age: 24 * 3600, count: 50_000 };

/** Exponential backoff with a little jitter; a longer Retry-After from the push service wins. */
export function sendBackoffMs(
  attemptsMade: number,
  baseMs: number,
  retryAfterMs: number | undefined,
  random = Math.random,
): number {
  const exponential = baseMs * 2 ** Math.max(0, attemptsMade - 1);
  const jittered = exponential + Math.floor(random() * baseMs * 0.2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

const shortHash = (parts: string[]) =>
  createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 12);

export function createPushPipeline(options: PushPipelineOptions): PushPipeline {
  const { connection, prefix, metrics, logger } = options;
  const now = options.now ?? (() => new Date());
  const intake = createTypedQueue({
    name: QUEUE_NAMES.intake,
    connection,
    prefix,
    schema: SmartlinkIntakeJob,
    // Completed intake jobs are the "already seen" marks of event ids: kept longer than an event may be old.
    defaultJobOptions: {
      removeOnComplete: { age: Math.ceil((options.maxEventAgeMs * 1.5) / 1000) },
      removeOnFail: false,
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
    },
  });
  const deliveries: TypedQueue<DeliveryJob> = createTypedQueue({
    name: QUEUE_NAMES.deliveries,
    connection,
    prefix,
    schema: DeliveryJob,
    defaultJobOptions: {
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: false,
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
    },
  });
  const sends = createTypedQueue({
    name: QUEUE_NAMES.sends,
    connection,
    prefix,
    schema: SendJob,
    defaultJobOptions: {
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: false,
      attempts: options.sendAttempts,
      backoff: { type: 'push' },
    },
  });
  const limiter = new RateLimiterRedis({
    storeClient: connection,
    keyPrefix: `${prefix}:notifier:rate`,
    points: options.ratePerMinute,
    duration: Math.max(1, Math.round(options.rateWindowMs / 1000)),
  });

  const burstKey = (rep: PushRecipient, contactId: number) =>
    `${prefix}:notifier:burst:${rep.company_id}:${rep.user_id}:${contactId}`;
  const burstDedupId = (rep: PushRecipient, contactId: number) =>
    `burst-${rep.company_id}-${rep.user_id}-${contactId}`;
  const overflowKey = (rep: PushRecipient) => `${prefix}:notifier:overflow:${rep.company_id}:${rep.user_id}`;
  const rateKey = (rep: PushRecipient) => `${rep.company_id}:${rep.user_id}`;

  /** Waits (job back to delayed) until `until`; the burst behind the job keeps collecting meanwhile. */
  async function waitUntil(job: Job, token: string | undefined, until: number): Promise<never> {
    await job.moveToDelayed(until, token);
    throw new DelayedError();
  }

  /** Quiet hours make a push wait (the job goes back to delayed); the burst behind it keeps collecting. */
  async function holdForQuietHours(
    job: Job,
    token: string | undefined,
    timeZone: string,
    quiet: Parameters<typeof quietHoursEnd>[2],
  ): Promise<void> {
    const quietEnd = quietHoursEnd(now(), timeZone, quiet);
    if (quietEnd) await waitUntil(job, token, quietEnd.getTime());
  }

  /** Takes one of the rep's pushes for this minute; 0 when granted, else how long until one frees. */
  async function takeRateToken(rep: PushRecipient): Promise<number> {
    try {
      await limiter.consume(rateKey(rep));
      return 0;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return rejection.msBeforeNext + 10;
    }
  }

  async function fanOut(
    deliveryJobId: string,
    rep: PushRecipient,
    subs: StoredSubscription[],
    payload: PushPayload,
    firstReceivedAt: string,
    correlationId: string,
    tag: string,
  ): Promise<void> {
    await sends.queue.addBulk(
      subs.map((sub) => ({
        name: payload.kind,
        data: SendJob.parse({
          ...rep,
          subscription_id: sub.id,
          payload,
          first_received_at: firstReceivedAt,
          correlation_id: correlationId,
        }),
        opts: { jobId: `${deliveryJobId}-${tag}-s${sub.id}` },
      })),
    );
  }

  const intakeWorker = createTypedWorker({
    name: QUEUE_NAMES.intake,
    connection,
    prefix,
    schema: SmartlinkIntakeJob,
    options: { concurrency: 16 },
    async process(data) {
      if (now().getTime() - Date.parse(data.occurred_at) > options.maxEventAgeMs) {
        metrics.pushSkipped.inc({ reason: 'stale_event' });
        return 'stale';
      }
      const rep = { company_id: data.company_id, user_id: data.user_id };
      const entry: BurstEntry = {
        event_type: data.event_type,
        activity: data.activity,
        item_name: data.item_name,
        occurred_at: data.occurred_at,
        received_at: data.received_at,
      };
      // The burst first, then its delivery job: any event in the burst has a delivery job that reads it later.
      const key = burstKey(rep, data.contact_id);
      await connection
        .multi()
        .hsetnx(key, data.event_id, JSON.stringify(entry))
        .pexpire(key, options.maxEventAgeMs * 4)
        .exec();
      await deliveries.add(
        'smartlink_activity',
        { kind: 'smartlink_activity', ...rep, contact_id: data.contact_id },
        options.coalesceMs > 0
          ? {
              jobId: `burst-${data.event_id}`,
              delay: options.coalesceMs,
              // One delivery job per (rep, contact) until it has run; an event arriving while it runs gets a follow-up job.
              deduplication: { id: burstDedupId(rep, data.contact_id), keepLastIfActive: true },
            }
          : { jobId: `burst-${data.event_id}` },
      );
      return 'filed';
    },
  });

  async function deliverBurst(
    job: Job,
    token: string | undefined,
    data: Extract<DeliveryJob, { kind: 'smartlink_activity' }>,
  ): Promise<string> {
    const rep = { company_id: data.company_id, user_id: data.user_id };
    const key = burstKey(rep, data.contact_id);
    const settings = await options.settings.get(rep);
    const drain = async (fields: string[], reason: string) => {
      if (fields.length > 0) await connection.hdel(key, ...fields);
      metrics.pushSkipped.inc({ reason }, fields.length);
      return reason;
    };
    if (!settings.smartlink_activity) return drain(Object.keys(await connection.hgetall(key)), 'disabled');
    if (!(await connection.exists(key))) return 'empty';
    await holdForQuietHours(job, token, settings.time_zone, settings.quiet_hours);
    const raw = await connection.hgetall(key);
    const fields = Object.keys(raw).sort();
    if (fields.length === 0) return 'empty';
    const subs = await options.subscriptions.list(rep);
    if (subs.length === 0) return drain(fields, 'no_subscription');
    const waitMs = await takeRateToken(rep);
    if (waitMs > 0) {
      // Over the rep's limit: the burst joins the rep's overflow, pushed as one digest when the limit allows.
      const moved = connection.multi();
      for (const field of fields) moved.hset(overflowKey(rep), `${data.contact_id}:${field}`, raw[field]!);
      await moved
        .pexpire(overflowKey(rep), options.maxEventAgeMs * 4)
        .hdel(key, ...fields)
        .exec();
      await deliveries.add(
        'smartlink_digest',
        { kind: 'smartlink_digest', ...rep },
        {
          jobId: `digest-${data.contact_id}-${job.id}`,
          delay: waitMs,
          deduplication: { id: `digest-${rep.company_id}-${rep.user_id}`, keepLastIfActive: true },
        },
      );
      return `rate limited: ${fields.length} event(s) moved to the digest`;
    }
    const entries = fields.map((field) => JSON.parse(raw[field]!) as BurstEntry);
    const payload = smartlinkPush({
      contactId: data.contact_id,
      contactName: await options.contactNames.nameOf(data.contact_id),
      entries,
      appBaseUrl: options.appBaseUrl,
    });
    const firstReceivedAt = entries.map((entry) => entry.received_at).sort()[0]!;
    // The tag names this exact set of events: a retry of this job after a crash re-adds the same
    // send jobs (no-ops), while a burst that grew meanwhile becomes a new push rather than a lost one.
    await fanOut(job.id!, rep, subs, payload, firstReceivedAt, fields[0]!, shortHash(fields));
    await connection.hdel(key, ...fields);
    metrics.pushCoalesced.inc({ kind: 'smartlink_activity' }, fields.length - 1);
    return `pushed ${fields.length} event(s) to ${subs.length} device(s)`;
  }

  async function deliverReminder(
    job: Job,
    token: string | undefined,
    data: Extract<DeliveryJob, { kind: 'task_reminder' }>,
  ): Promise<string> {
    const state = await options.taskReminders.get(data.task_id);
    // Belt and braces to the job removal on complete/delete/reschedule: only the current schedule pushes.
    if (!state || state.reminder?.event_id !== data.schedule_event_id) {
      metrics.pushSkipped.inc({ reason: 'reminder_overtaken' });
      return 'overtaken';
    }
    const rep = { company_id: state.company_id, user_id: state.user_id };
    const settings = await options.settings.get(rep);
    if (!settings.task_reminders) {
      metrics.pushSkipped.inc({ reason: 'disabled' });
      return 'disabled';
    }
    await holdForQuietHours(job, token, settings.time_zone, settings.quiet_hours);
    const subs = await options.subscriptions.list(rep);
    if (subs.length === 0) {
      metrics.pushSkipped.inc({ reason: 'no_subscription' });
      return 'no_subscription';
    }
    // Reminders are few and each matters: over the limit, one waits for its own turn.
    const waitMs = await takeRateToken(rep);
    if (waitMs > 0) await waitUntil(job, token, now().getTime() + waitMs);
    const payload = reminderPush({
      taskId: state.task_id,
      body: state.body,
      dueAt: state.reminder.due_at,
      contactId: state.contact_id,
      contactName: state.contact_id !== null ? await options.contactNames.nameOf(state.contact_id) : null,
      appBaseUrl: options.appBaseUrl,
    });
    await fanOut(job.id!, rep, subs, payload, state.reminder.due_at, data.schedule_event_id, 'r');
    return `reminded on ${subs.length} device(s)`;
  }

  async function deliverDigest(
    job: Job,
    token: string | undefined,
    data: Extract<DeliveryJob, { kind: 'smartlink_digest' }>,
  ): Promise<string> {
    const rep = { company_id: data.company_id, user_id: data.user_id };
    const key = overflowKey(rep);
    const settings = await options.settings.get(rep);
    await holdForQuietHours(job, token, settings.time_zone, settings.quiet_hours);
    if (!(await connection.exists(key))) return 'empty';
    const waitMs = await takeRateToken(rep);
    // Still over the limit: wait; the overflow keeps collecting meanwhile.
    if (waitMs > 0) await waitUntil(job, token, now().getTime() + waitMs);
    const raw = await connection.hgetall(key);
    const fields = Object.keys(raw).sort();
    if (fields.length === 0) return 'empty';
    const subs = await options.subscriptions.list(rep);
    if (subs.length === 0 || !settings.smartlink_activity) {
      await connection.hdel(key, ...fields);
      metrics.pushSkipped.inc({ reason: subs.length === 0 ? 'no_subscription' : 'disabled' }, fields.length);
      return 'skipped';
    }
    const byContact = new Map<number, BurstEntry[]>();
    for (const field of fields) {
      const contactId = Number(field.split(':')[0]);
      byContact.set(contactId, [...(byContact.get(contactId) ?? []), JSON.parse(raw[field]!) as BurstEntry]);
    }
    const contacts = await Promise.all(
      [...byContact].map(async ([contactId, entries]) => ({
        contactId,
        contactName: await options.contactNames.nameOf(contactId),
        entries,
      })),
    );
    const payload = digestPush({ contacts, appBaseUrl: options.appBaseUrl });
    const firstReceivedAt = contacts
      .flatMap((contact) => contact.entries.map((entry) => entry.received_at))
      .sort()[0]!;
    await fanOut(job.id!, rep, subs, payload, firstReceivedAt, fields[0]!, shortHash(fields));
    await connection.hdel(key, ...fields);
    metrics.pushCoalesced.inc({ kind: 'smartlink_activity' }, fields.length - 1);
    return `digest of ${fields.length} event(s) from ${contacts.length} contact(s) to ${subs.length} device(s)`;
  }

  const deliveryWorker = createTypedWorker({
    name: QUEUE_NAMES.deliveries,
    connection,
    prefix,
    schema: DeliveryJob,
    options: { concurrency: 16 },
    process: (data, job, token) => {
      switch (data.kind) {
        case 'smartlink_activity':
          return deliverBurst(job, token, data);
        case 'smartlink_digest':
          return deliverDigest(job, token, data);
        case 'task_reminder':
          return deliverReminder(job, token, data);
      }
    },
  });

  const sendWorker = createTypedWorker({
    name: QUEUE_NAMES.sends,
    connection,
    prefix,
    schema: SendJob,
    options: {
      concurrency: 32,
      settings: {
        backoffStrategy: (attemptsMade, _type, error) =>
          sendBackoffMs(
            attemptsMade,
            options.retryBaseMs,
            error instanceof RetryableSendError ? error.retryAfterMs : undefined,
          ),
      },
    },
    async process(data, job) {
      const rep = { company_id: data.company_id, user_id: data.user_id };
      const sub = (await options.subscriptions.list(rep)).find(
        (candidate) => candidate.id === data.subscription_id,
      );
      if (!sub) return 'subscription_gone';
      // A push is never posted twice by one attempt: not again after a crash cut that attempt off.
      if (
        !(await claimSendAttempt(
          connection,
          `${prefix}:notifier:sending:${job.id}`,
          job.attemptsMade,
          KEEP_COMPLETED.age,
        ))
      ) {
        metrics.pushSkipped.inc({ reason: 'cut_off_by_crash' });
        logger.warn(
          { job_id: job.id, attempts_made: job.attemptsMade },
          'push not posted again: the attempt a crash cut off may have delivered it',
        );
        return 'not posted again (an attempt cut off by a crash may have delivered it)';
      }
      const outcome = await options.sender.send(
        { endpoint: sub.endpoint, p256dh: sub.p256dh, auth: sub.auth },
        data.payload,
      );
      switch (outcome.kind) {
        case 'delivered':
          metrics.pushesSent.inc({ kind: data.payload.kind });
          // The first received_at stands for when the notifier learnt of it; for reminders it is due_at.
          metrics.eventToPush.observe(
            { kind: data.payload.kind },
            Math.max(0, now().getTime() - Date.parse(data.first_received_at)) / 1000,
          );
          return `delivered (${outcome.status})`;
        case 'gone':
          metrics.pushFailures.inc({ reason: 'gone' });
          await options.subscriptions.remove(rep, sub.id);
          logger.info(
            { subscription_id: sub.id, status: outcome.status },
            'push subscription expired at the push service: deleted',
          );
          return `subscription deleted (${outcome.status})`;
        case 'retry':
          metrics.pushFailures.inc({ reason: outcome.reason });
          throw new RetryableSendError(
            `push service: ${outcome.reason}${outcome.status ? ` ${outcome.status}` : ''}`,
            outcome.retryAfterMs,
          );
        case 'rejected':
          metrics.pushFailures.inc({ reason: outcome.reason });
          throw new UnrecoverableError(
            `push refused: ${outcome.reason}${outcome.status ? ` ${outcome.status}` : ''}`,
          );
      }
    },
  });

  const workers: Worker[] = [intakeWorker, deliveryWorker, sendWorker];
  for (const worker of workers) {
    worker.on('failed', (job, error) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
        logger.warn(
          { queue: worker.name, job_id: job.id, err: error },
          'job failed for good (kept for inspection)',
        );
    });
    // Redis outages surface here; the worker reconnects on its own.
    worker.on('error', (error) => logger.warn({ queue: worker.name, err: error }, 'worker error'));
  }

  async function onTaskEvent(event: TaskEvent): Promise<void> {
    const previous = await options.taskReminders.get(event.aggregate_id);
    const next = evolveTaskReminder(previous, event, now(), options.reminderMaxLateMs);
    if (!next) return;
    // Jobs first, state last: a crash in between redoes both (the removal and the add are idempotent).
    const before = previous?.reminder ?? null;
    if (before && before.event_id !== next.reminder?.event_id) {
      const stale = await deliveries.queue.getJob(`reminder-${before.event_id}`);
      // An active reminder is already being sent; the overtaken check in the job covers the rest.
      if (stale && (await stale.isDelayed())) await stale.remove().catch(() => undefined);
    }
    if (next.reminder && next.reminder.event_id !== before?.event_id) {
      await deliveries.add(
        'task_reminder',
        {
          kind: 'task_reminder',
          company_id: next.company_id,
          user_id: next.user_id,
          task_id: next.task_id,
          due_at: next.reminder.due_at,
          schedule_event_id: next.reminder.event_id,
        },
        {
          jobId: `reminder-${next.reminder.event_id}`,
          delay: Math.max(0, Date.parse(next.reminder.due_at) - now().getTime()),
        },
      );
    }
    await options.taskReminders.put(next);
  }

  return {
    queues: [intake.queue, deliveries.queue, sends.queue],
    async onSmartlinkEvents(events, receivedAt) {
      const jobs = events.flatMap((event) =>
        event.type === 'smartlink.opened' || event.type === 'smartlink.activity_recorded'
          ? [
              {
                name: event.type,
                data: SmartlinkIntakeJob.parse({
                  event_id: event.id,
                  event_type: event.type,
                  company_id: event.company_id,
                  user_id: event.user_id,
                  contact_id: event.data.contact_id,
                  smartlink_id: event.aggregate_id,
                  activity: event.type === 'smartlink.activity_recorded' ? event.data.type : null,
                  // The item acted on, else what the link shares (producers that know it send shareable_name).
                  item_name:
                    (event.type === 'smartlink.activity_recorded' ? event.data.item?.name : undefined) ??
                    event.data.shareable_name ??
                    null,
                  occurred_at: event.data.occurred_at,
                  received_at: receivedAt.toISOString(),
                  correlation_id: event.correlation_id,
                }),
                opts: { jobId: event.id },
              },
            ]
          : [],
      );
      // One round trip per Kafka batch; an id that is already there (a redelivery) adds nothing.
      if (jobs.length > 0) await intake.queue.addBulk(jobs);
    },
    onTaskEvent,
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all([intake.close(), deliveries.close(), sends.close()]);
    },
  };
}
