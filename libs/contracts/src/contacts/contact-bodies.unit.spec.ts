import { parseBody } from '../validation/parse-body';
import {
  BULK_MAX,
  CompanyContactCreateBody,
  CompanyContactUpdateBody,
  UserBulkCreateBody,
  UserContactCreateBody,
  UserContactUpdateBody,
  exceedsBulkMax,
  unwrapContactBody,
} from './contact-bodies';
import { Contact } from './contact-resource';
import { SEED_CONTACT, seedWritable } from './seed-contact.spec-fixture';

const READ_ONLY = [
  'id',
  'token',
  'full_name',
  'company_id',
  'discarded_at',
  'created_at',
  'updated_at',
  'group_ids',
];

describe('contact request bodies', () => {
  describe('the seed example', () => {
    it('passes as a user create body once its read-only fields are removed', () => {
      const result = parseBody(UserContactCreateBody, seedWritable());
      expect(result).toEqual({ ok: true, value: seedWritable() });
    });

    it('passes as a company create body with an owner', () => {
      const result = parseBody(CompanyContactCreateBody, { ...seedWritable(), user_id: 7 });
      expect(result).toEqual({ ok: true, value: { ...seedWritable(), user_id: 7, origin: 'company_api' } });
    });

    it('names each read-only field it still carries', () => {
      const result = parseBody(UserContactCreateBody, SEED_CONTACT);
      expect(result).toEqual({
        ok: false,
        issues: ['id', 'token', 'full_name', 'company_id', 'discarded_at'].map((field) => ({
          field,
          message: 'is read-only',
        })),
      });
    });

    it('is a valid Contact resource once the server fields are added', () => {
      const resource = {
        ...SEED_CONTACT,
        user_id: 7,
        origin: 'user_app',
        group_ids: [],
        created_at: '2025-01-10T08:00:00Z',
        updated_at: '2025-01-10T08:00:00Z',
      };
      expect(Contact.safeParse(resource).success).toBe(true);
    });
  });

  describe('create', () => {
    it('defaults status to active', () => {
      expect(parseBody(UserContactCreateBody, { first_name: 'Jane' })).toEqual({
        ok: true,
        value: { first_name: 'Jane', status: 'active' },
      });
    });

    it.each([
      { first_name: 'Jane' },
      { last_name: 'Smith' },
      { email: 'j@example.com' },
      { phone: '5551234' },
    ])('accepts a contact identified only by %j', (body) => {
      expect(parseBody(UserContactCreateBody, body).ok).toBe(true);
    });

    it('needs at least one of first_name, last_name, email, phone', () => {
      for (const body of [{}, { city: 'Austin' }, { first_name: '  ', email: null }]) {
        expect(parseBody(UserContactCreateBody, body)).toEqual({
          ok: false,
          issues: [{ field: '', message: 'at least one of first_name, last_name, email, phone is required' }],
        });
      }
    });

    it.each(READ_ONLY)('user scope rejects read-only %s', (field) => {
      expect(parseBody(UserContactCreateBody, { first_name: 'Jane', [field]: 1 })).toEqual({
        ok: false,
        issues: [{ field, message: 'is read-only' }],
      });
    });

    it.each(['user_id', 'origin'])('user scope rejects %s, which only a company may set', (field) => {
      expect(parseBody(UserContactCreateBody, { first_name: 'Jane', [field]: 'company_api' })).toEqual({
        ok: false,
        issues: [{ field, message: 'is read-only' }],
      });
    });

    it('rejects unknown fields, each named, distinct from read-only ones', () => {
      expect(
        parseBody(UserContactCreateBody, { first_name: 'Jane', nickname: 'J', id: 3, favourite: 1 }),
      ).toEqual({
        ok: false,
        issues: [
          { field: 'id', message: 'is read-only' },
          { field: 'nickname', message: 'is not a known field' },
          { field: 'favourite', message: 'is not a known field' },
        ],
      });
    });

    it('rejects a body that is not an object', () => {
      for (const body of [null, 'Jane', [{ first_name: 'Jane' }]]) {
        expect(parseBody(UserContactCreateBody, body)).toEqual({
          ok: false,
          issues: [{ field: '', message: 'must be a JSON object' }],
        });
      }
    });

    it('company scope requires the owning rep as a positive integer', () => {
      expect(parseBody(CompanyContactCreateBody, { first_name: 'Jane' })).toMatchObject({
        ok: false,
        issues: [{ field: 'user_id', message: 'must be a positive integer' }],
      });
      expect(parseBody(CompanyContactCreateBody, { first_name: 'Jane', user_id: '7' })).toMatchObject({
        ok: false,
        issues: [{ field: 'user_id' }],
      });
    });

    it('company scope takes origin company_api (default) or company_website, never user_app', () => {
      expect(
        parseBody(CompanyContactCreateBody, { first_name: 'J', user_id: 7, origin: 'company_website' }),
      ).toMatchObject({
        ok: true,
        value: { origin: 'company_website' },
      });
      expect(
        parseBody(CompanyContactCreateBody, { first_name: 'J', user_id: 7, origin: 'user_app' }),
      ).toEqual({
        ok: false,
        issues: [{ field: 'origin', message: 'must be one of company_api, company_website' }],
      });
    });

    it.each(READ_ONLY)('company scope rejects read-only %s', (field) => {
      expect(parseBody(CompanyContactCreateBody, { first_name: 'J', user_id: 7, [field]: 1 })).toEqual({
        ok: false,
        issues: [{ field, message: 'is read-only' }],
      });
    });
  });

  describe('update', () => {
    it('keeps only the given fields; null clears an optional field', () => {
      expect(parseBody(UserContactUpdateBody, { email: null, lead_type: 'hot' })).toEqual({
        ok: true,
        value: { email: null, lead_type: 'hot' },
      });
    });

    it('needs at least one field', () => {
      expect(parseBody(UserContactUpdateBody, {})).toEqual({
        ok: false,
        issues: [{ field: '', message: 'at least one field is required' }],
      });
    });

    it('does not default status', () => {
      expect(parseBody(UserContactUpdateBody, { city: 'Austin' })).toEqual({
        ok: true,
        value: { city: 'Austin' },
      });
    });

    it('lets a company reassign the contact with user_id, but never a user', () => {
      expect(parseBody(CompanyContactUpdateBody, { user_id: 8 })).toEqual({
        ok: true,
        value: { user_id: 8 },
      });
      expect(parseBody(UserContactUpdateBody, { user_id: 8 })).toEqual({
        ok: false,
        issues: [{ field: 'user_id', message: 'is read-only' }],
      });
    });

    it('keeps origin fixed in both scopes', () => {
      for (const schema of [UserContactUpdateBody, CompanyContactUpdateBody]) {
        expect(parseBody(schema, { origin: 'company_website' })).toEqual({
          ok: false,
          issues: [{ field: 'origin', message: 'is read-only' }],
        });
      }
    });

    it.each(READ_ONLY)('rejects read-only %s', (field) => {
      expect(parseBody(CompanyContactUpdateBody, { city: 'Austin', [field]: null })).toEqual({
        ok: false,
        issues: [{ field, message: 'is read-only' }],
      });
    });
  });

  describe('bulk create', () => {
    it('takes 1 to BULK_MAX user create bodies', () => {
      const result = parseBody(UserBulkCreateBody, {
        contacts: [{ first_name: 'A' }, { email: 'B@example.com' }],
      });
      expect(result).toEqual({
        ok: true,
        value: {
          contacts: [
            { first_name: 'A', status: 'active' },
            { email: 'b@example.com', status: 'active' },
          ],
        },
      });
      expect(parseBody(UserBulkCreateBody, { contacts: [] })).toEqual({
        ok: false,
        issues: [{ field: 'contacts', message: 'must hold at least one contact' }],
      });
    });

    it('names each bad item by its index', () => {
      const result = parseBody(UserBulkCreateBody, {
        contacts: [{ first_name: 'A' }, { first_name: 'B' }, { first_name: 'C' }, { email: 'nope', id: 1 }],
      });
      expect(result).toEqual({
        ok: false,
        issues: [
          { field: 'contacts.3.id', message: 'is read-only' },
          { field: 'contacts.3.email', message: 'must be a valid email address' },
        ],
      });
    });

    it(`flags more than ${BULK_MAX} contacts (the service answers 413) and the schema refuses them too`, () => {
      const contacts = Array.from({ length: BULK_MAX + 1 }, (_, i) => ({ first_name: `C${i}` }));
      expect(BULK_MAX).toBe(1000);
      expect(exceedsBulkMax({ contacts })).toBe(true);
      expect(exceedsBulkMax({ contacts: contacts.slice(1) })).toBe(false);
      expect(exceedsBulkMax('nonsense')).toBe(false);
      expect(parseBody(UserBulkCreateBody, { contacts })).toEqual({
        ok: false,
        issues: [{ field: 'contacts', message: `must hold at most ${BULK_MAX} contacts` }],
      });
    });

    it('rejects unknown top-level fields', () => {
      expect(parseBody(UserBulkCreateBody, { contacts: [{ first_name: 'A' }], dry_run: true })).toEqual({
        ok: false,
        issues: [{ field: 'dry_run', message: 'is not a known field' }],
      });
    });
  });

  describe('unwrapContactBody', () => {
    it('accepts the wrapped and the bare form alike', () => {
      const bare = { first_name: 'Jane' };
      expect(unwrapContactBody({ contact: bare })).toBe(bare);
      expect(unwrapContactBody(bare)).toBe(bare);
    });

    it('leaves a mixed body alone so validation names `contact` as unknown', () => {
      const mixed = { contact: { first_name: 'Jane' }, email: 'j@example.com' };
      expect(unwrapContactBody(mixed)).toBe(mixed);
      expect(parseBody(UserContactCreateBody, unwrapContactBody(mixed))).toEqual({
        ok: false,
        issues: [{ field: 'contact', message: 'is not a known field' }],
      });
    });

    it('passes non-objects through for validation to reject', () => {
      expect(unwrapContactBody(null)).toBeNull();
      expect(unwrapContactBody([1])).toEqual([1]);
    });
  });
});
