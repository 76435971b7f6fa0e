import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Queue } from 'bullmq';

export interface NotifierMetrics {
  pushesSent: Counter<'kind'>;
  pushFailures: Counter<'reason'>;
  pushCoalesced: Counter<'kind'>;
  pushSkipped: Counter<'reason'>;
  eventToPush: Histogram<'kind'>;
  invalidEvents: Counter<'topic'>;
}

const JOB_STATES = [
  'waiting',
  'delayed',
  'active',
  'completed',
  'failed',
  'prioritized',
  'waiting-children',
] as const;

export function createNotifierMetrics(registry: Registry, queues: () => Queue[]): NotifierMetrics {
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs per BullMQ queue and state (read from Redis at scrape time)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      // A scrape while Redis is down reports nothing rather than failing /metrics as a whole.
      const counts = await Promise.all(
        queues().map(async (queue) => ({
          queue: queue.name,
          counts: await queue.getJobCounts(...JOB_STATES).catch(() => undefined),
        })),
      );
      this.reset();
      for (const { queue, counts: byState } of counts)
        for (const state of JOB_STATES) if (byState) this.set({ queue, state }, byState[state] ?? 0);
    },
  });
  return {
    pushesSent: new Counter({
      name: 'pushes_sent_total',
      help: 'Web Pushes accepted by a push service',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    pushFailures: new Counter({
      name: 'push_failures_total',
      help: 'Failed push attempts by reason: http_5xx, http_429, timeout, network, dns (retried); http_4xx, blocked_endpoint (not retried); gone (404/410, subscription deleted)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    pushCoalesced: new Counter({
      name: 'push_coalesced_total',
      help: 'Events folded into a push about an earlier event of the same burst (events minus pushes)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    pushSkipped: new Counter({
      name: 'push_skipped_total',
      help: 'Pushes not sent on purpose: disabled in settings, no subscription, stale event, overtaken reminder, not posted again after a crash cut its attempt off',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    eventToPush: new Histogram({
      name: 'event_to_push_seconds',
      help: 'From the notifier reading the (first) event of a push to the push service accepting it; includes the coalescing window and quiet hours',
      labelNames: ['kind'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 3600],
      registers: [registry],
    }),
    invalidEvents: new Counter({
      name: 'notifier_invalid_events_total',
      help: 'Messages that are not a contract-valid event (logged and skipped)',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
  };
}
