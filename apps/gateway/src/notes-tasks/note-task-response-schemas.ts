import { z } from 'zod';
import { ContactCard, Note, Task } from '@reps/contracts';

/** The response envelopes of the note, task and card operations (documentation only: the gateway relays bodies as they are). */
const listMeta = z.object({
  pagination: z.object({
    limit: z.int().min(1).max(100),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  }),
  request_id: z.string(),
});

export const NoteResponse = z.object({ note: Note }).meta({ title: 'NoteResponse' });
export const NoteListResponse = z
  .object({ notes: z.array(Note), meta: listMeta })
  .meta({ title: 'NoteListResponse' });
export const TaskResponse = z.object({ task: Task }).meta({ title: 'TaskResponse' });
export const TaskListResponse = z
  .object({ tasks: z.array(Task), meta: listMeta })
  .meta({ title: 'TaskListResponse' });
export const ContactCardResponse = z
  .object({ card: ContactCard, meta: z.object({ request_id: z.string() }) })
  .meta({ title: 'ContactCardResponse' });

export const NOTE_TASK_RESPONSE_SCHEMAS: [string, z.ZodType][] = [
  ['Note', Note],
  ['Task', Task],
  ['NoteResponse', NoteResponse],
  ['NoteListResponse', NoteListResponse],
  ['TaskResponse', TaskResponse],
  ['TaskListResponse', TaskListResponse],
  ['ContactCardResponse', ContactCardResponse],
];
