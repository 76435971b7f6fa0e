import type { NoteEvent, TaskEvent } from '@reps/contracts';
import { noteActivities } from './note-activities';
import { taskActivities } from './task-activities';

const envelope = (id: number, userId: number, companyVisible: boolean) => ({
  id: '0b6f2c1e-8d4a-4c3e-9f1a-2b3c4d5e6f70',
  schema_version: 1 as const,
  occurred_at: '2025-06-01T10:00:00.000Z',
  aggregate_id: id,
  aggregate_version: 1,
  company_id: 7,
  user_id: userId,
  company_visible: companyVisible,
  actor: { scope: 'user' as const, user_id: userId, company_id: 7 },
  correlation_id: 'c',
  causation_id: null,
});
/** Through the wire format, as the projection gets it. */
const entries = (source: typeof noteActivities, event: NoteEvent | TaskEvent) =>
  source.entriesOf(source.decode(Buffer.from(JSON.stringify(event)))!);

const note = (title: string | null, companyVisible: boolean): NoteEvent => ({
  ...envelope(3, 42, companyVisible),
  type: 'note.created',
  data: {
    id: 3,
    tenant_company_id: 7,
    company_id: companyVisible ? 7 : null,
    contact_id: 5,
    user_id: 42,
    created_by: 'user',
    title,
    body: 'b',
    note_type: 'follow_up',
    due_date: null,
    due_time: null,
    pinned: true,
    assets: [],
    created_at: '2025-06-01T10:00:00.000Z',
  },
});
const task = (contactId: number | null, createdBy: 'user' | 'company'): TaskEvent => ({
  ...envelope(9, 42, createdBy === 'company'),
  type: 'task.created',
  data: {
    id: 9,
    tenant_company_id: 7,
    user_id: 42,
    contact_id: contactId,
    body: 'Call',
    due_at: null,
    created_by: createdBy,
    created_at: '2025-06-01T10:00:00.000Z',
  },
});

describe('note and task timeline entries', () => {
  it('say a note was added, with its title, visible to a company exactly when the note is', () => {
    expect(entries(noteActivities, note('Call back', false))).toEqual([
      expect.objectContaining({
        contact_id: 5,
        user_id: 42,
        type: 'note.created',
        summary: 'Note added: Call back',
        company_visible: false,
        data: { note_id: 3, pinned: true, note_type: 'follow_up' },
      }),
    ]);
    expect(entries(noteActivities, note(null, true))[0]).toMatchObject({
      summary: 'Note added',
      company_visible: true,
    });
    expect(entries(noteActivities, note('x'.repeat(200), false))[0]!.summary).toHaveLength(
      'Note added: '.length + 80,
    );
  });

  it('say a task was created, assigned or completed on its contact; a task without one is on no timeline', () => {
    expect(entries(taskActivities, task(5, 'user'))[0]).toMatchObject({
      contact_id: 5,
      summary: 'Task created',
      company_visible: false,
    });
    expect(entries(taskActivities, task(5, 'company'))[0]).toMatchObject({
      summary: 'Task assigned',
      company_visible: true,
    });
    expect(entries(taskActivities, task(null, 'user'))).toEqual([]);
    const completed = (contactId?: number | null): TaskEvent => ({
      ...envelope(9, 42, false),
      aggregate_version: 2,
      type: 'task.completed',
      data: {
        completed_at: '2025-06-02T10:00:00.000Z',
        ...(contactId !== undefined ? { contact_id: contactId } : {}),
      },
    });
    expect(entries(taskActivities, completed(5))[0]).toMatchObject({
      contact_id: 5,
      summary: 'Task completed',
      data: { task_id: 9 },
    });
    expect(entries(taskActivities, completed(null))).toEqual([]);
    expect(entries(taskActivities, completed())).toEqual([]);
  });
});
