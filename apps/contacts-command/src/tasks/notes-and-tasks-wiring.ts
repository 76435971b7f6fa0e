import type { Router } from 'express';
import type { Db } from 'mongodb';
import type { TokenVerifier } from '@reps/auth';
import type { ContactEvent, NoteEvent, TaskEvent } from '@reps/contracts';
import type { Logger } from '@reps/observability';
import type { ContactCommandHandler } from '../contacts/contact-command-handler';
import { openAggregateStreams, type StreamSettings } from '../event-store/aggregate-streams';
import type { EventStore } from '../event-store/mongo-event-store';
import type { OutboxRelay } from '../event-store/outbox-relay';
import { idAllocatorIn } from '../ids/id-allocator';
import type { IdempotencyStore } from '../idempotency/idempotency-store';
import { createContactStateReader } from '../notes/contact-states';
import { createNoteCommandHandler } from '../notes/note-command-handler';
import { createNoteRoutes } from '../notes/note-routes';
import { createKnownReps, type KnownRepDoc, type KnownReps } from '../reps/known-reps';
import { createContactTaskIndex, type ContactTaskSlotDoc } from './contact-task-index';
import { withTasksFollowingContacts } from './follow-contact-owner';
import { createTaskCommandHandler } from './task-command-handler';
import { createTaskRoutes } from './task-routes';

export interface NotesAndTasksDeps {
  db: Db;
  notesTopic: string;
  tasksTopic: string;
  contactStore: EventStore<ContactEvent>;
  idempotency: IdempotencyStore;
  verifier: TokenVerifier;
  clock: () => Date;
  logger: Logger;
  /** The process's shared stream settings (relay interval, flush size, server traits). */
  streams: StreamSettings;
}

export interface NotesAndTasks {
  reps: KnownReps;
  relays: OutboxRelay<NoteEvent | TaskEvent>[];
  routes(): Router[];
  /** The contact handler whose company reassignments move the contact's open tasks along. */
  followingContacts(handler: ContactCommandHandler): ContactCommandHandler;
}

/**
 * The note and task write side, wired in one place: their streams, outboxes and relays (one per
 * aggregate, publishing on its own topic), id allocators, the known-reps registry and the
 * contact→tasks index.
 */
export async function createNotesAndTasks(deps: NotesAndTasksDeps): Promise<NotesAndTasks> {
  const { db, clock, logger, streams } = deps;
  const [note, task] = await Promise.all([
    openAggregateStreams<NoteEvent>(db, { aggregate: 'note', topic: deps.notesTopic, ...streams }),
    openAggregateStreams<TaskEvent>(db, { aggregate: 'task', topic: deps.tasksTopic, ...streams }),
  ]);
  const contacts = createContactStateReader(deps.contactStore);
  const reps = createKnownReps(db.collection<KnownRepDoc>('known_reps'));

  const notes = createNoteCommandHandler({ store: note.store, commits: note.commits, clock, contacts });
  const tasks = createTaskCommandHandler({
    store: task.store,
    commits: task.commits,
    clock,
    contacts,
    reps,
    index: createContactTaskIndex(db.collection<ContactTaskSlotDoc>('contact_task_slots')),
    logger,
  });
  const common = { idempotency: deps.idempotency, verifier: deps.verifier, clock };
  return {
    reps,
    relays: [note.relay, task.relay] as OutboxRelay<NoteEvent | TaskEvent>[],
    routes: () => [
      createNoteRoutes({ handler: notes, ids: idAllocatorIn(db, 'note'), ...common }),
      createTaskRoutes({ handler: tasks, ids: idAllocatorIn(db, 'task'), ...common }),
    ],
    followingContacts: (handler) => withTasksFollowingContacts(handler, tasks, logger),
  };
}
