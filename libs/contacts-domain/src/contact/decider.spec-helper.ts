import { BLANK_CONTACT_FIELDS, type ContactCreatedData, type ContactEventData } from '@reps/contracts';
import type { CompanyActor, UserActor } from './actor';
import { deciderSpecification } from '../decider/decider-specification.spec-helper';
import { decide } from './decide';
import { evolve } from './evolve';

/** Given contact events / when a contact command / then events (or error): see `deciderSpecification`. */
export const given = deciderSpecification({ decide, evolve });

export const T0 = '2025-06-01T10:00:00.000Z';
export const T1 = '2025-06-02T11:00:00.000Z';
export const T2 = '2025-06-03T12:00:00.000Z';

export const COMPANY = 10;
export const OTHER_COMPANY = 20;
export const OWNER = 7;
export const COLLEAGUE = 8;

export const owner: UserActor = { scope: 'user', userId: OWNER, companyId: COMPANY };
export const colleague: UserActor = { scope: 'user', userId: COLLEAGUE, companyId: COMPANY };
/** Same user id in another tenant: ids are only unique within a company. */
export const namesakeInOtherCompany: UserActor = { scope: 'user', userId: OWNER, companyId: OTHER_COMPANY };
export const company: CompanyActor = { scope: 'company', companyId: COMPANY };
export const otherCompany: CompanyActor = { scope: 'company', companyId: OTHER_COMPANY };

const CONTACT_ID = 12345;
const TOKEN = 'abc123def456';

function createdData(overrides: Partial<ContactCreatedData>): ContactCreatedData {
  return {
    id: CONTACT_ID,
    token: TOKEN,
    tenant_company_id: COMPANY,
    company_id: null,
    user_id: OWNER,
    origin: 'user_app',
    ...BLANK_CONTACT_FIELDS,
    first_name: 'Jane',
    last_name: 'Smith',
    email: 'jane.smith@example.com',
    phone: '+1-555-123-4567',
    city: 'Austin',
    state: 'TX',
    lead_type: 'warm',
    metadata: {},
    created_at: T0,
    ...overrides,
  };
}

/** A contact the owner created in the app: private to them. */
export const createdByOwner = (overrides: Partial<ContactCreatedData> = {}): ContactEventData => ({
  type: 'contact.created',
  data: createdData(overrides),
});

/** A contact that came in through the company API and was assigned to the owner. */
export const createdByCompany = (overrides: Partial<ContactCreatedData> = {}): ContactEventData => ({
  type: 'contact.created',
  data: createdData({ company_id: COMPANY, origin: 'company_api', ...overrides }),
});

export const discarded = (at = T1): ContactEventData => ({
  type: 'contact.discarded',
  data: { discarded_at: at },
});

export const contactId = CONTACT_ID;
export const token = TOKEN;
