import { randomUUID } from 'node:crypto';
import type { ContactEvent } from '@reps/contracts';
import { evolveContactName, fullName } from './projections';

const event = (version: number, type: ContactEvent['type'], data: unknown): ContactEvent =>
  ({
    id: randomUUID(),
    type,
    schema_version: 1,
    occurred_at: '2026-01-10T08:00:00Z',
    aggregate_id: 5,
    aggregate_version: version,
    company_id: 1,
    user_id: 2,
    company_visible: false,
    actor: { scope: 'user', user_id: 2, company_id: 1 },
    correlation_id: 'c',
    causation_id: null,
    data,
  }) as ContactEvent;

const created = event(1, 'contact.created', { first_name: 'Jane', last_name: 'Smith' });
const renamed = event(2, 'contact.updated', {
  changes: { last_name: 'Doe' },
  previous: { last_name: 'Smith' },
  updated_at: 'x',
});
const emailed = event(3, 'contact.updated', {
  changes: { email: 'j@example.com' },
  previous: { email: null },
  updated_at: 'x',
});

/** Given events, then the name the notifier would put in a push. */
const given = (...events: ContactEvent[]) => {
  const state = events.reduce<ReturnType<typeof evolveContactName>>(
    (current, next) => evolveContactName(current, next) ?? current,
    undefined,
  );
  return state && fullName(state.first_name, state.last_name);
};

describe('contact-name projection', () => {
  it('names a contact from contact.created and follows renames', () => {
    expect(given(created)).toBe('Jane Smith');
    expect(given(created, renamed)).toBe('Jane Doe');
    expect(given(created, renamed, emailed)).toBe('Jane Doe');
  });

  it('ignores duplicates and older versions, and updates of a contact it never saw created', () => {
    expect(given(created, renamed, created)).toBe('Jane Doe');
    expect(evolveContactName({ first_name: 'Jane', last_name: 'Doe', version: 2 }, renamed)).toBeUndefined();
    expect(given(renamed)).toBeUndefined();
  });

  it('has no name for a contact without first or last name', () => {
    expect(fullName(null, '  ')).toBeNull();
  });
});
