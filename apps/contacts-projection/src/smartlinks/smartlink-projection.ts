import { SmartlinkEvent } from '@reps/contracts';
import type { SmartlinkReadDoc } from '@reps/contacts-read-model';
import type { Collection } from 'mongodb';
import type { BatchHandler } from '../projection/topic-router';
import {
  createVersionedDocProjection,
  type VersionedDocProjectionDeps,
} from '../projection/versioned-doc-projection';
import { smartlinkFold } from './smartlink-projector';

/**
 * Projects `crm.smartlinks.v1` into the SmartLinks read model, next version only, the way every
 * versioned document model is projected. Poison messages go to the topic's dead-letter topic.
 */
export function createSmartlinkProjection(
  smartlinks: () => Collection<SmartlinkReadDoc>,
  deps: VersionedDocProjectionDeps,
): BatchHandler {
  return createVersionedDocProjection(
    {
      name: 'smartlinks',
      collection: smartlinks,
      schema: SmartlinkEvent,
      creationType: 'smartlink.created',
      ...smartlinkFold,
    },
    deps,
  );
}
