import { fenceKey, type ReadModelCatalog, type ReadModelCollections } from '@reps/contacts-read-model';
import type { OutgoingMessage } from '@reps/kafka';
import { createWriteLane } from '@reps/mongo';
import type { Logger } from '@reps/observability';
import { fenceHolder, type ProjectionWriteSettings } from '../config';
import { createActivityProjection } from '../activities/activity-projection';
import { activitySources } from '../activities/activity-sources';
import { createGroupProjection } from '../groups/group-projection';
import { createNoteProjection, createTaskProjection } from '../notes-tasks/note-task-projections';
import { createSmartlinkProjection } from '../smartlinks/smartlink-projection';
import { createContactProjection } from './contact-projection';
import { createPartitionFence } from './partition-fence';
import type { ProjectionMetrics } from './projection-metrics';
import { createReadModelStore } from './read-model-store';
import { inSequence, routeByTopic, type BatchHandler } from './topic-router';

export interface ReadModelProjectionDeps {
  catalog: ReadModelCatalog;
  collections: ReadModelCollections;
  groupId: string;
  contactsTopic: string;
  groupsTopic: string;
  smartlinksTopic: string;
  /** The note and task topics, when this consumer reads them (the service and the rebuild do). */
  notesTopic?: string;
  tasksTopic?: string;
  writes: ProjectionWriteSettings;
  /** Publishes poison messages of `topic` to its dead-letter topic (a rebuild drops them). */
  deadLetter: (topic: string, messages: OutgoingMessage[]) => Promise<void>;
  metrics: ProjectionMetrics;
  logger: Logger;
}

/**
 * Everything one consumer projects into one generation: contact events into the contact models,
 * group events into the groups model, each partition behind its write fence. The live projection
 * and a rebuild build it the same way, so a rebuild produces what the live projection does.
 */
export function createReadModelProjection(deps: ReadModelProjectionDeps): BatchHandler {
  const { catalog, collections, groupId, writes, metrics, logger } = deps;
  const fenceFor = createPartitionFence({
    fences: catalog.fences,
    fenceKey: (topic, partition) => fenceKey(collections.generation, topic, partition),
    holder: fenceHolder(groupId),
    settleMs: writes.fenceSettleMs,
    logger,
  });
  // The consumer may hand over several partitions' batches at once (`partitionsConsumedConcurrently`):
  // their writes still go out one command at a time, and their inserts into one collection (a burst
  // of creates, their timeline entries) go out as one.
  const lane = createWriteLane();
  const contacts = createContactProjection({
    store: createReadModelStore(() => collections, {
      conditionalReplace: writes.conditionalReplace,
      limits: { maxUpdatesPerCommand: writes.maxUpdatesPerCommand },
      lane,
    }),
    fenceFor,
    deadLetter: (messages) => deps.deadLetter(deps.contactsTopic, messages),
    metrics,
    logger,
    groupId,
  });
  const versioned = (topic: string) => ({
    fenceFor,
    deadLetter: (messages: OutgoingMessage[]) => deps.deadLetter(topic, messages),
    metrics,
    logger,
    groupId,
    conditionalReplace: writes.conditionalReplace,
    limits: { maxUpdatesPerCommand: writes.maxUpdatesPerCommand },
    lane,
  });
  const groups = createGroupProjection(() => collections.groups, versioned(deps.groupsTopic));
  const smartlinks = createSmartlinkProjection(() => collections.smartlinks, versioned(deps.smartlinksTopic));
  // The timeline reads every topic after its own model: entries are inserts, so a batch that
  // fails after its model was written and is redelivered only finds its entries already there.
  const timeline = createActivityProjection({
    activities: () => collections.activities,
    sources: activitySources({
      contacts: deps.contactsTopic,
      groups: deps.groupsTopic,
      smartlinks: deps.smartlinksTopic,
      ...(deps.notesTopic ? { notes: deps.notesTopic } : {}),
      ...(deps.tasksTopic ? { tasks: deps.tasksTopic } : {}),
    }),
    fenceFor,
    metrics,
    logger,
    limits: { maxUpdatesPerCommand: writes.maxUpdatesPerCommand },
    lane,
  });
  const routes = new Map<string, BatchHandler>([
    [deps.contactsTopic, inSequence(contacts, timeline)],
    [deps.groupsTopic, inSequence(groups, timeline)],
    [deps.smartlinksTopic, inSequence(smartlinks, timeline)],
  ]);
  if (deps.notesTopic)
    routes.set(deps.notesTopic, inSequence(createNoteProjection(() => collections.notesTasks, versioned(deps.notesTopic)), timeline));
  if (deps.tasksTopic)
    routes.set(deps.tasksTopic, inSequence(createTaskProjection(() => collections.notesTasks, versioned(deps.tasksTopic)), timeline));
  return routeByTopic(routes);
}
