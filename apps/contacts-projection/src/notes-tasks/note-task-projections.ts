import {
  applyNoteEvent,
  applyTaskEvent,
  noteReadId,
  taskReadId,
  type NoteReadDoc,
  type NoteTaskCollections,
  type TaskReadDoc,
} from '@reps/contacts-read-model';
import { NoteEvent, TaskEvent } from '@reps/contracts';
import { createVersionedDocProjection, type VersionedDocProjectionDeps } from './versioned-doc-projection';

/** `crm.notes.v1` into the notes read model. */
export function createNoteProjection(models: () => NoteTaskCollections, deps: VersionedDocProjectionDeps) {
  return createVersionedDocProjection<NoteEvent, NoteReadDoc>(
    {
      name: 'notes',
      collection: () => models().notes,
      schema: NoteEvent,
      creationType: 'note.created',
      docIdOf: (event) => noteReadId(event.company_id, event.aggregate_id),
      apply: applyNoteEvent,
    },
    deps,
  );
}

/** `crm.tasks.v1` into the tasks read model. */
export function createTaskProjection(models: () => NoteTaskCollections, deps: VersionedDocProjectionDeps) {
  return createVersionedDocProjection<TaskEvent, TaskReadDoc>(
    {
      name: 'tasks',
      collection: () => models().tasks,
      schema: TaskEvent,
      creationType: 'task.created',
      docIdOf: (event) => taskReadId(event.company_id, event.aggregate_id),
      apply: applyTaskEvent,
    },
    deps,
  );
}
