import type { IncomingBatch } from '@reps/kafka';

export interface BatchHandler {
  handleBatch(batch: IncomingBatch): Promise<void>;
}

/** Several projections of one batch, one after the other (a topic's own model, then the activity timeline). */
export function inSequence(...handlers: BatchHandler[]): BatchHandler {
  return {
    async handleBatch(batch) {
      for (const handler of handlers) await handler.handleBatch(batch);
    },
  };
}

/**
 * One consumer reads several topics into one generation of read models (contacts and groups);
 * a batch is always of one topic partition, and goes to that topic's projection.
 */
export function routeByTopic(routes: ReadonlyMap<string, BatchHandler>): BatchHandler {
  return {
    handleBatch(batch) {
      const handler = routes.get(batch.topic);
      if (!handler) return Promise.reject(new Error(`no projection for topic ${batch.topic}`));
      return handler.handleBatch(batch);
    },
  };
}
