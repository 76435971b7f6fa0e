import { Contact } from '@reps/contracts';
import { contactFromDoc, derivedFields, readModelId, type ContactReadDoc } from './read-model-doc';
import { isGenerationName, newGenerationName } from './read-model-catalog';

const contact: Contact = {
  id: 5,
  company_id: null,
  token: 'abcdefgh12345678',
  first_name: 'Jane',
  last_name: "O'Hara",
  full_name: "Jane O'Hara",
  email: 'jane@example.com',
  email2: null,
  phone: '+1 (555) 123-4567',
  phone2: null,
  phone_id: null,
  avatar_url: null,
  status: 'lead',
  address: null,
  address2: null,
  city: null,
  state: null,
  postal_code: null,
  country_id: null,
  language_id: null,
  lead_type: 'hot',
  ip: null,
  requested_at: null,
  best_time: null,
  time_zone: null,
  reason: null,
  income: null,
  hours: null,
  invest: null,
  interest: null,
  discarded_at: null,
  metadata: { a: 1 },
  user_id: 42,
  origin: 'user_app',
  group_ids: [],
  created_at: '2025-06-01T10:00:00+02:00',
  updated_at: '2025-06-01T09:00:00.000Z',
};

describe('read model document', () => {
  it('derives sort and search fields that do not depend on spelling', () => {
    expect(derivedFields(contact)).toEqual({
      _discarded: false,
      _c: Date.parse('2025-06-01T08:00:00Z'),
      _u: Date.parse('2025-06-01T09:00:00Z'),
      _ln: "o'hara",
      _search: "jane\no'hara\njane o'hara\njane@example.com",
      _phone: '15551234567',
    });
    expect(derivedFields({ ...contact, last_name: null, phone: null, discarded_at: '2025-06-02T00:00:00Z' })).toMatchObject({
      _discarded: true,
      _ln: '',
      _phone: '',
    });
  });

  it('reads back exactly the public resource, in contract order', () => {
    const doc: ContactReadDoc = {
      ...contact,
      _id: readModelId(7, 5),
      _v: 3,
      tenant_company_id: 7,
      company_visible: false,
      ...derivedFields(contact),
    };
    const resource = contactFromDoc(doc);
    expect(resource).toEqual(contact);
    expect(Object.keys(resource)).toEqual(Object.keys(Contact.shape));
    expect(Contact.parse(resource)).toEqual(resource);
  });

  it('keys documents by tenant and contact id', () => {
    expect(readModelId(7, 5)).toBe('7:5');
  });

  it('names generations so they validate and sort by time', () => {
    const a = newGenerationName(new Date(1_700_000_000_000));
    const b = newGenerationName(new Date(1_800_000_000_000));
    expect(isGenerationName(a)).toBe(true);
    expect(a < b).toBe(true);
    expect(isGenerationName('g1')).toBe(true);
    expect(isGenerationName('x; drop')).toBe(false);
  });
});
