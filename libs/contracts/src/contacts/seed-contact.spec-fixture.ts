/** The example contact of the seed document (spec/contacts-seed.txt), verbatim. */
export const SEED_CONTACT = {
  id: 12345,
  company_id: null,
  token: 'abc123def456',
  first_name: 'Jane',
  last_name: 'Smith',
  full_name: 'Jane Smith',
  email: 'jane.smith@example.com',
  email2: null,
  phone: '+1-555-123-4567',
  phone2: null,
  phone_id: null,
  avatar_url: 'https://example.com/avatars/jane.jpg',
  status: 'active',
  address: '123 Main Street',
  address2: 'Apt 4B',
  city: 'Austin',
  state: 'TX',
  postal_code: '78701',
  country_id: 1,
  language_id: 1,
  lead_type: 'warm',
  ip: '192.168.1.1',
  requested_at: '2025-01-10T08:00:00Z',
  best_time: 'morning',
  time_zone: 'America/Chicago',
  reason: 'Interested in products',
  income: null,
  hours: null,
  invest: null,
  interest: 'health products',
  discarded_at: null,
  metadata: {},
};

/** The seed minus the fields a client may not write. */
export function seedWritable(): Record<string, unknown> {
  const { id: _id, company_id: _c, token: _t, full_name: _f, discarded_at: _d, ...writable } = SEED_CONTACT;
  return writable;
}
