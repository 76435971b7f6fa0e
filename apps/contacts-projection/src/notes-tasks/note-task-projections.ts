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
import { documentFold } from '../projection/versioned-doc-fold';
import {
  createVersionedDocProjection,
  type VersionedDocProjectionDeps,
} from '../projection/versioned-doc-projection';

/** `crm.notes.v1` into the notes read model. */
export function createNoteProjection(models: () => NoteTaskCollections, deps: VersionedDocProjectionDeps) {
  return createVersionedDocProjection<NoteEvent, NoteReadDoc>(
    {
      name: 'notes',
      collection: () => models().notes,
      schema: NoteEvent,
      creationType: 'note.created',
      ...documentFold<NoteEvent, NoteReadDoc>({
        docIdOf: (event) => noteReadId(event.company_id, event.aggregate_id),
        apply: applyNoteEvent,
      }),
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
      ...documentFold<TaskEvent, TaskReadDoc>({
        docIdOf: (event) => taskReadId(event.company_id, event.aggregate_id),
        apply: applyTaskEvent,
      }),
    },
    deps,
  );
}
