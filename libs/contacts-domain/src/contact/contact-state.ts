import type { Contact, ContactFields, ContactOrigin } from '@reps/contracts';

/**
 * A contact as the command side knows it, rebuilt from its events. `null` stands for a
 * contact that does not exist (no events yet).
 */
export interface ContactState extends ContactFields {
  id: number;
  token: string;
  /** The company the contact belongs to internally, even when the public `company_id` is null. */
  tenant_company_id: number;
  /** The public `company_id`: the tenant for company-visible contacts, null for a rep's own. */
  company_id: number | null;
  /** The owning rep. */
  user_id: number;
  origin: ContactOrigin;
  /** Fixed at creation: only contacts from the company API or website are the company's to see. */
  company_visible: boolean;
  created_at: string;
  updated_at: string;
  discarded_at: string | null;
  /** Number of events applied: the stream position an update must expect. */
  version: number;
}

export function isCompanyVisibleOrigin(origin: ContactOrigin): boolean {
  return origin === 'company_api' || origin === 'company_website';
}

/** First and last name joined by a space; null when neither has text. */
export function fullName(firstName: string | null, lastName: string | null): string | null {
  const joined = [firstName, lastName]
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .join(' ');
  return joined === '' ? null : joined;
}

/** The public resource, in the seed's field order; internal fields stay behind. */
export function toContactResource(state: ContactState): Contact {
  return {
    id: state.id,
    company_id: state.company_id,
    token: state.token,
    first_name: state.first_name,
    last_name: state.last_name,
    full_name: fullName(state.first_name, state.last_name),
    email: state.email,
    email2: state.email2,
    phone: state.phone,
    phone2: state.phone2,
    phone_id: state.phone_id,
    avatar_url: state.avatar_url,
    status: state.status,
    address: state.address,
    address2: state.address2,
    city: state.city,
    state: state.state,
    postal_code: state.postal_code,
    country_id: state.country_id,
    language_id: state.language_id,
    lead_type: state.lead_type,
    ip: state.ip,
    requested_at: state.requested_at,
    best_time: state.best_time,
    time_zone: state.time_zone,
    reason: state.reason,
    income: state.income,
    hours: state.hours,
    invest: state.invest,
    interest: state.interest,
    discarded_at: state.discarded_at,
    metadata: state.metadata,
    user_id: state.user_id,
    origin: state.origin,
    // Group membership lives in the groups read model; the aggregate does not track it (yet).
    group_ids: [],
    created_at: state.created_at,
    updated_at: state.updated_at,
  };
}
