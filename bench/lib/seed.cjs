// Synthetic `contact.created` events for seeding a large tenant straight onto the contacts topic
// (in 1000-message batches), so the projection builds the read model the way it always does —
// the fastest path the read side offers that still goes through the real projection. The
// command service is not involved: these contacts have no event-store commits.
const { randomBytes, randomUUID } = require('node:crypto');
const {
  CONTACT_FIELD_NAMES,
  CONTACT_STATUSES,
  LEAD_TYPES,
  ContactEvent,
} = require('../../libs/contracts/dist/index.js');

const FIRST = [
  'Ana',
  'Ben',
  'Carla',
  'Dev',
  'Elena',
  'Femi',
  'Gus',
  'Hana',
  'Ivan',
  'Jade',
  'Kofi',
  'Lena',
  'Mateo',
  'Nia',
  'Omar',
  'Pia',
  'Quinn',
  'Rosa',
  'Sami',
  'Tara',
];
// 200 last names: a search for one of them matches about 0.5% of the tenant.
const LAST = Array.from({ length: 200 }, (_, i) => `Surname${String(i).padStart(3, '0')}`);
const CITIES = ['Lisbon', 'Austin', 'Lagos', 'Osaka', 'Lyon', 'Quito', 'Perth', 'Oslo'];

/** The search term and filters the list benchmark uses (present in the seeded data). */
const SEARCH_TERM = LAST[17];
const FILTER_STATUS = CONTACT_STATUSES[1];
const FILTER_LEAD_TYPE = LEAD_TYPES[0];

/** contact.created envelope number `i` of a tenant, valid against the published contract. */
function createdEvent({ i, contactId, companyId, userId, at }) {
  const fields = Object.fromEntries(CONTACT_FIELD_NAMES.map((name) => [name, null]));
  const first = FIRST[i % FIRST.length];
  const last = LAST[(i * 7) % LAST.length];
  Object.assign(fields, {
    first_name: first,
    last_name: last,
    email: `${first}.${last}.${i}@example.com`.toLowerCase(),
    phone: `+1 555 ${String(1_000_000 + ((i * 7919) % 9_000_000)).padStart(7, '0')}`,
    status: CONTACT_STATUSES[i % CONTACT_STATUSES.length],
    lead_type: LEAD_TYPES[i % LEAD_TYPES.length],
    city: CITIES[i % CITIES.length],
    metadata: {},
  });
  const occurred = new Date(at + i).toISOString();
  return {
    id: randomUUID(),
    type: 'contact.created',
    schema_version: 1,
    occurred_at: occurred,
    aggregate_id: contactId,
    aggregate_version: 1,
    company_id: companyId,
    user_id: userId,
    company_visible: false,
    actor: { scope: 'user', user_id: userId, company_id: companyId },
    correlation_id: `bench-seed-${companyId}`,
    causation_id: null,
    data: {
      id: contactId,
      token: randomBytes(16).toString('base64url').slice(0, 22),
      tenant_company_id: companyId,
      company_id: null,
      user_id: userId,
      origin: 'user_app',
      ...fields,
      created_at: occurred,
    },
  };
}

/** Kafka messages for contacts `from`..`to-1` of the tenant, as contacts-command would key them. */
function seedBatch({ from, to, firstContactId, companyId, userId, at }) {
  const messages = [];
  for (let i = from; i < to; i++) {
    const event = createdEvent({ i, contactId: firstContactId + i, companyId, userId, at });
    if (i === 0) ContactEvent.parse(event); // the template must satisfy the published contract
    messages.push({
      key: String(event.aggregate_id),
      value: JSON.stringify(event),
      headers: {
        'content-type': 'application/json',
        'event-type': event.type,
        'schema-version': '1',
        'correlation-id': event.correlation_id,
      },
    });
  }
  return messages;
}

/** A contact-shaped document for the raw database loops (same size class as a read-model doc). */
function rawContactDoc(i, extra = {}) {
  const event = createdEvent({
    i,
    contactId: 50_000_000 + i,
    companyId: 1,
    userId: 1,
    at: Date.UTC(2026, 0, 1),
  });
  return {
    ...event.data,
    full_name: `${event.data.first_name} ${event.data.last_name}`,
    group_ids: [],
    ...extra,
  };
}

module.exports = { seedBatch, rawContactDoc, SEARCH_TERM, FILTER_STATUS, FILTER_LEAD_TYPE };
