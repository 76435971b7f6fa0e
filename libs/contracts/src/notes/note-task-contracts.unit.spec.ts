import { parseBody } from '../validation/parse-body';
import { NoteCreateBody, NoteUpdateBody } from './note-bodies';
import { parseNoteListQuery } from './note-list-query';
import { noteDueAt } from './note-resource';
import { TaskCreateBody, TaskUpdateBody } from '../tasks/task-bodies';
import { parseTaskListQuery } from '../tasks/task-list-query';
import { taskStatus } from '../tasks/task-resource';

const asset = (url: string) => ({ url, filename: 'a.png', content_type: 'image/png', content_size: 3 });

describe('note bodies', () => {
  it('default the optional fields and accept the wrapped form’s inner object', () => {
    expect(parseBody(NoteCreateBody, { contact_id: 5, body: 'Hi' })).toEqual({
      ok: true,
      value: {
        contact_id: 5,
        body: 'Hi',
        title: null,
        note_type: null,
        due_date: null,
        due_time: null,
        pinned: false,
        assets: [],
      },
    });
  });

  it('hold the body to 20,000 characters and assets to 20 https links', () => {
    expect(parseBody(NoteCreateBody, { contact_id: 5, body: 'x'.repeat(20000) }).ok).toBe(true);
    expect(parseBody(NoteCreateBody, { contact_id: 5, body: 'x'.repeat(20001) }).ok).toBe(false);
    expect(
      parseBody(NoteCreateBody, {
        contact_id: 5,
        body: 'x',
        assets: [asset('https://cdn.example.com/a.png')],
      }).ok,
    ).toBe(true);
    for (const url of ['http://cdn.example.com/a.png', 'ftp://cdn.example.com/a', 'javascript:alert(1)'])
      expect(parseBody(NoteCreateBody, { contact_id: 5, body: 'x', assets: [asset(url)] }).ok).toBe(false);
    const many = Array.from({ length: 21 }, (_, i) => asset(`https://cdn.example.com/${i}`));
    expect(parseBody(NoteCreateBody, { contact_id: 5, body: 'x', assets: many }).ok).toBe(false);
    expect(
      parseBody(NoteCreateBody, {
        contact_id: 5,
        body: 'x',
        assets: [{ ...asset('https://a.example'), id: 'mine' }],
      }).ok,
    ).toBe(false);
  });

  it('name read-only and unknown fields; a time needs a date; contact_id is fixed after create', () => {
    expect(
      parseBody(NoteCreateBody, { contact_id: 5, body: 'x', user_id: 1, due_at: 'x', colour: 'red' }),
    ).toEqual({
      ok: false,
      issues: expect.arrayContaining([
        { field: 'user_id', message: 'is read-only' },
        { field: 'due_at', message: 'is read-only' },
        { field: 'colour', message: 'is not a known field' },
      ]),
    });
    expect(parseBody(NoteCreateBody, { contact_id: 5, body: 'x', due_time: '09:30:00' }).ok).toBe(false);
    expect(parseBody(NoteUpdateBody, { contact_id: 6 })).toMatchObject({
      ok: false,
      issues: [{ field: 'contact_id' }],
    });
    expect(parseBody(NoteUpdateBody, {}).ok).toBe(false);
    expect(noteDueAt('2025-06-01', '09:30:00')).toBe('2025-06-01 09:30:00');
    expect(noteDueAt('2025-06-01', null)).toBe('2025-06-01');
  });
});

describe('task bodies', () => {
  it('take due_at only with an offset', () => {
    expect(parseBody(TaskCreateBody, { body: 'Call', due_at: '2025-06-01T09:00:00+02:00' }).ok).toBe(true);
    expect(parseBody(TaskCreateBody, { body: 'Call', due_at: '2025-06-01T09:00:00Z' }).ok).toBe(true);
    for (const due_at of ['2025-06-01T09:00:00', '2025-06-01', 'tomorrow', 5])
      expect(parseBody(TaskCreateBody, { body: 'Call', due_at }).ok).toBe(false);
  });

  it('name read-only fields and take completed only on update', () => {
    for (const field of ['id', 'status', 'completed_at', 'contact', 'created_by', 'company_id'])
      expect(parseBody(TaskCreateBody, { body: 'x', [field]: 'x' })).toMatchObject({
        ok: false,
        issues: [{ field }],
      });
    expect(parseBody(TaskCreateBody, { body: 'x', completed: true }).ok).toBe(false);
    expect(parseBody(TaskUpdateBody, { completed: true })).toEqual({ ok: true, value: { completed: true } });
    expect(parseBody(TaskCreateBody, { body: '   ' }).ok).toBe(false);
  });

  it('derive the status', () => {
    const now = new Date('2025-06-01T10:00:00Z');
    expect(taskStatus({ completed_at: '2025-05-01T00:00:00Z', due_at: '2025-05-01T00:00:00Z' }, now)).toBe(
      'completed',
    );
    expect(taskStatus({ completed_at: null, due_at: '2025-06-01T11:59:00+02:00' }, now)).toBe('overdue');
    expect(taskStatus({ completed_at: null, due_at: '2025-06-01T12:01:00+02:00' }, now)).toBe('pending');
    expect(taskStatus({ completed_at: null, due_at: null }, now)).toBe('pending');
  });
});

describe('note and task list queries', () => {
  it('parse filters, and refuse unknown parameters', () => {
    expect(parseNoteListQuery({ contact_id: '5', pinned: 'true' })).toMatchObject({
      contact_id: 5,
      pinned: true,
      discarded: 'exclude',
      contact_discarded: 'exclude',
      limit: 25,
    });
    expect(parseTaskListQuery({ status: 'overdue', due_before: '2025-06-01T00:00:00Z' })).toMatchObject({
      status: 'overdue',
      sort: 'due_at',
    });
    expect(() => parseTaskListQuery({ status: 'late' })).toThrow('Invalid query parameter: status');
    expect(() => parseTaskListQuery({ due_after: '2025-06-01' })).toThrow(
      'Invalid query parameter: due_after',
    );
    expect(() => parseNoteListQuery({ sort: 'x' })).toThrow('Invalid query parameter: sort');
  });
});
