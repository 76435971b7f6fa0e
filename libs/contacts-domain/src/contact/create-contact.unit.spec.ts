import {
  BLANK_CONTACT_FIELDS,
  CompanyContactCreateBody,
  UserContactCreateBody,
  parseBody,
  type ContactCreateBody,
} from '@reps/contracts';
import type { Actor } from './actor';
import type { CreateContact } from './commands';
import {
  COMPANY,
  OWNER,
  T0,
  company,
  contactId,
  createdByOwner,
  given,
  owner,
  token,
} from './decider.spec-helper';

/** Bodies go through the real contract, as the services will pass them. */
function body(
  schema: typeof UserContactCreateBody | typeof CompanyContactCreateBody,
  input: unknown,
): ContactCreateBody {
  const result = parseBody(schema, input);
  if (!result.ok) throw new Error(`fixture body is invalid: ${JSON.stringify(result.issues)}`);
  return result.value;
}

const createContact = (actor: Actor, contactBody: ContactCreateBody): CreateContact => ({
  type: 'CreateContact',
  contactId,
  token,
  actor,
  now: T0,
  body: contactBody,
});

const EMPTY_FIELDS = BLANK_CONTACT_FIELDS;

describe('CreateContact', () => {
  it('by a user: the caller owns it, origin user_app, no public company_id, tenant = their company', () => {
    const state = given()
      .when(
        createContact(owner, body(UserContactCreateBody, { first_name: 'Jane', email: 'Jane@Example.com' })),
      )
      .then([
        {
          type: 'contact.created',
          data: {
            id: contactId,
            token,
            tenant_company_id: COMPANY,
            company_id: null,
            user_id: OWNER,
            origin: 'user_app',
            ...EMPTY_FIELDS,
            first_name: 'Jane',
            email: 'jane@example.com',
            created_at: T0,
          },
        },
      ]);
    expect(state).toMatchObject({ version: 1, company_visible: false, updated_at: T0, discarded_at: null });
  });

  it('by a company: owned by the named rep, origin company_api by default, public company_id set', () => {
    const state = given()
      .when(createContact(company, body(CompanyContactCreateBody, { last_name: 'Smith', user_id: 99 })))
      .then([
        {
          type: 'contact.created',
          data: {
            id: contactId,
            token,
            tenant_company_id: COMPANY,
            company_id: COMPANY,
            user_id: 99,
            origin: 'company_api',
            ...EMPTY_FIELDS,
            last_name: 'Smith',
            created_at: T0,
          },
        },
      ]);
    expect(state).toMatchObject({ company_visible: true, user_id: 99 });
  });

  it('by a company from its website keeps origin company_website', () => {
    const state = given()
      .when(
        createContact(
          company,
          body(CompanyContactCreateBody, { email: 'a@b.co', user_id: 99, origin: 'company_website' }),
        ),
      )
      .then([
        expect.objectContaining({
          data: expect.objectContaining({ origin: 'company_website', company_id: COMPANY }),
        }),
      ]);
    expect(state).toMatchObject({ company_visible: true });
  });

  it('keeps every given field and the chosen status', () => {
    given()
      .when(
        createContact(
          owner,
          body(UserContactCreateBody, { phone: '5551234', status: 'lead', metadata: { a: 1 } }),
        ),
      )
      .then([
        expect.objectContaining({
          data: expect.objectContaining({
            phone: '5551234',
            status: 'lead',
            metadata: { a: 1 },
            email: null,
          }),
        }),
      ]);
  });

  it('refuses an id that already has a contact', () => {
    given(createdByOwner())
      .when(createContact(owner, body(UserContactCreateBody, { first_name: 'Jane' })))
      .thenFails('already_exists');
  });

  it('refuses a user naming an owner: a rep cannot create contacts for someone else', () => {
    given()
      .when(createContact(owner, body(CompanyContactCreateBody, { first_name: 'Jane', user_id: 99 })))
      .thenFails('forbidden_field', { field: 'user_id' });
  });

  it('refuses a user claiming a company origin, which would expose the contact to the company', () => {
    const claimsCompanyOrigin = {
      first_name: 'Jane',
      status: 'active',
      origin: 'company_website',
    } as ContactCreateBody;
    given().when(createContact(owner, claimsCompanyOrigin)).thenFails('forbidden_field', { field: 'origin' });
  });

  it('refuses a company create without an owner', () => {
    given()
      .when(createContact(company, body(UserContactCreateBody, { first_name: 'Jane' })))
      .thenFails('owner_required', { field: 'user_id' });
  });

  it('refuses a company create claiming origin user_app', () => {
    const claimsAppOrigin = { first_name: 'Jane', status: 'active', user_id: 99, origin: 'user_app' };
    given()
      .when(createContact(company, claimsAppOrigin as unknown as ContactCreateBody))
      .thenFails('forbidden_field', { field: 'origin' });
  });
});
