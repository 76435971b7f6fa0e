import type { Router } from 'express';
import type { Db } from 'mongodb';
import type { TokenVerifier } from '@reps/auth';
import type { ContactEvent, NoteEvent, TaskEvent } from '@reps/contracts';
import type { EventProducer } from '@reps/kafka';
import { ensureIndexes } from '@reps/mongo';
import type { Logger } from '@reps/observability';
import type { Registry } from 'prom-client';
import type { ContactCommandHandler } from '../contacts/contact-command-handler';
import { toKafkaMessage } from '../contacts/contact-envelope';
import {
  createMongoEventStore,
  eventStoreIndexes,
  outboxIndexes,
  type CommitDoc,
  type EventStore,
  type OutboxDoc,
} from '../event-store/mongo-event-store';
import { createOutboxRelay, type OutboxRelay } from '../event-store/outbox-relay';
import { createIdAllocator, type BlockClaimDoc, type CounterDoc } from '../ids/id-allocator';
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
  producer: Pick<EventProducer, 'send'>;
  notesTopic: string;
  tasksTopic: string;
  contactStore: EventStore<ContactEvent>;
  idempotency: IdempotencyStore;
  verifier: TokenVerifier;
  clock: () => Date;
  logger: Logger;
  metrics: Registry;
  relayIntervalMs: number;
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
  const { db, clock, logger, metrics } = deps;
  const noteCommits = db.collection<CommitDoc<NoteEvent>>('note_commits');
  const noteOutbox = db.collection<OutboxDoc>('note_outbox');
  const taskCommits = db.collection<CommitDoc<TaskEvent>>('task_commits');
  const taskOutbox = db.collection<OutboxDoc>('task_outbox');
  await Promise.all([
    ensureIndexes(noteCommits, eventStoreIndexes),
    ensureIndexes(noteOutbox, outboxIndexes),
    ensureIndexes(taskCommits, eventStoreIndexes),
    ensureIndexes(taskOutbox, outboxIndexes),
  ]);
  const relayFor = <E extends NoteEvent | TaskEvent>(
    store: EventStore<E>,
    topic: string,
    aggregate: string,
  ) =>
    createOutboxRelay<E>({
      store,
      publish: (events) => deps.producer.send(topic, events.map(toKafkaMessage)),
      logger,
      metrics,
      aggregate,
      intervalMs: deps.relayIntervalMs,
    });
  const noteStore = createMongoEventStore<NoteEvent>(noteCommits, noteOutbox);
  const taskStore = createMongoEventStore<TaskEvent>(taskCommits, taskOutbox);
  const noteRelay = relayFor(noteStore, deps.notesTopic, 'note');
  const taskRelay = relayFor(taskStore, deps.tasksTopic, 'task');
  const contacts = createContactStateReader(deps.contactStore);
  const reps = createKnownReps(db.collection<KnownRepDoc>('known_reps'));
  const ids = (name: string) =>
    createIdAllocator(
      db.collection<CounterDoc>('id_counters'),
      db.collection<BlockClaimDoc>('id_block_claims'),
      name,
    );

  const notes = createNoteCommandHandler({ store: noteStore, relay: noteRelay, clock, contacts });
  const tasks = createTaskCommandHandler({
    store: taskStore,
    relay: taskRelay,
    clock,
    contacts,
    reps,
    index: createContactTaskIndex(db.collection<ContactTaskSlotDoc>('contact_task_slots')),
    logger,
  });
  const common = { idempotency: deps.idempotency, verifier: deps.verifier, clock };
  return {
    reps,
    relays: [noteRelay, taskRelay] as OutboxRelay<NoteEvent | TaskEvent>[],
    routes: () => [
      createNoteRoutes({ handler: notes, ids: ids('note'), ...common }),
      createTaskRoutes({ handler: tasks, ids: ids('task'), ...common }),
    ],
    followingContacts: (handler) => withTasksFollowingContacts(handler, tasks, logger),
  };
}
