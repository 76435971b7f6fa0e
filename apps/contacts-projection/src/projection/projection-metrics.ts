import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ProjectionMetrics {
  applied: Counter<'model'>;
  duplicates: Counter<'model'>;
  gaps: Counter<'model'>;
  deadLettered: Counter<'reason'>;
  batchSeconds: Histogram;
  lag: Gauge<'partition'>;
}

/**
 * The projection's metrics, in the service's own registry. Events applied per second is
 * `rate(projection_events_applied_total[1m])`; the lag gauge is read from Kafka on scrape.
 */
export function createProjectionMetrics(
  registry: Registry,
  lagProbe: () => Promise<{ partition: number; lag: number }[]>,
): ProjectionMetrics {
  return {
    applied: new Counter({
      name: 'projection_events_applied_total',
      help: 'Events applied to a read model',
      labelNames: ['model'] as const,
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'projection_duplicates_skipped_total',
      help: 'Events skipped because the read model already had them (redelivery, replay)',
      labelNames: ['model'] as const,
      registers: [registry],
    }),
    gaps: new Counter({
      name: 'projection_gaps_total',
      help: 'Events not applied because an earlier version of their contact is missing',
      labelNames: ['model'] as const,
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'projection_dead_lettered_total',
      help: 'Messages sent to the dead-letter topic, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'projection_batch_duration_seconds',
      help: 'Time to store one consumed batch in the read models',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'projection_consumer_lag',
      help: 'Messages on the topic not yet committed by the projection group, per partition',
      labelNames: ['partition'] as const,
      registers: [registry],
      async collect() {
        try {
          for (const { partition, lag } of await lagProbe()) this.set({ partition: String(partition) }, lag);
        } catch {
          // Kafka unreachable: keep the last values; /readyz reports the outage.
        }
      },
    }),
  };
}
