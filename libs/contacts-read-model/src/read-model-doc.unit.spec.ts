import { BLANK_CONTACT_FIELDS, Contact } from '@reps/contracts';
import {
  contactFromDoc,
  derivedFields,
  nextPriorSortKeys,
  PRIOR_SORT_KEYS_KEEP_MS,
  PRIOR_SORT_KEYS_MAX,
  readModelId,
  sortKeysAt,
  type ContactReadDoc,
} from './read-model-doc';
import { isGenerationName, newGenerationName } from './read-model-catalog';

const contact: Contact = {
  ...BLANK_CONTACT_FIELDS,
  id: 5,
  company_id: null,
  token: 'abcdefgh12345678',
  first_name: 'Jane',
  last_name: "O'Hara",
  full_name: "Jane O'Hara",
  email: 'jane@example.com',
  phone: '+1 (555) 123-4567',
  status: 'lead',
  lead_type: 'hot',
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
      _prior: [],
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

describe('prior sort keys (what list walks over updated_at and last_name order by)', () => {
  it('records the keys a change replaces, and nothing for a new contact', () => {
    expect(nextPriorSortKeys(null, { _u: 10, _ln: 'a' })).toEqual([]);
    const first = nextPriorSortKeys({ _u: 10, _ln: 'a', _prior: [] }, { _u: 20, _ln: 'b' });
    expect(first).toEqual([{ t: 20, u: 10, ln: 'a' }]);
    expect(nextPriorSortKeys({ _u: 20, _ln: 'b', _prior: first }, { _u: 30, _ln: 'b' })).toEqual([
      { t: 20, u: 10, ln: 'a' },
      { t: 30, u: 20, ln: 'b' },
    ]);
  });

  it('forgets keys no walk can still need, and keeps at most a bounded number', () => {
    const old = [{ t: 5, u: 1, ln: 'x' }];
    expect(nextPriorSortKeys({ _u: 5, _ln: 'x', _prior: old }, { _u: 5 + PRIOR_SORT_KEYS_KEEP_MS + 1, _ln: 'y' })).toEqual([
      { t: 5 + PRIOR_SORT_KEYS_KEEP_MS + 1, u: 5, ln: 'x' },
    ]);
    let doc = { _u: 0, _ln: 'a', _prior: [] as ContactReadDoc['_prior'] };
    for (let u = 1; u <= PRIOR_SORT_KEYS_MAX + 10; u++) {
      const next = { _u: u, _ln: 'a' };
      doc = { ...next, _prior: nextPriorSortKeys(doc, next) };
    }
    expect(doc._prior).toHaveLength(PRIOR_SORT_KEYS_MAX);
    expect(doc._prior[PRIOR_SORT_KEYS_MAX - 1]).toEqual({ t: PRIOR_SORT_KEYS_MAX + 10, u: PRIOR_SORT_KEYS_MAX + 9, ln: 'a' });
  });

  it('answers the keys a contact had at an instant, or at its creation if that came later', () => {
    const doc = { _c: 10, _u: 30, _ln: 'c', _prior: [{ t: 20, u: 10, ln: 'a' }, { t: 30, u: 20, ln: 'b' }] };
    expect(sortKeysAt(doc, 5)).toEqual({ _u: 10, _ln: 'a' });
    expect(sortKeysAt(doc, 19)).toEqual({ _u: 10, _ln: 'a' });
    expect(sortKeysAt(doc, 20)).toEqual({ _u: 20, _ln: 'b' });
    expect(sortKeysAt(doc, 31)).toEqual({ _u: 30, _ln: 'c' });
  });
});
