import type { IncomingBatch } from '@reps/kafka';

export interface BatchHandler {
  handleBatch(batch: IncomingBatch): Promise<void>;
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
