import { z } from 'zod';
import { PositiveId } from '../contacts/contact-fields';
import {
  exceedsArrayMax,
  readOnlyFields,
  requireSomeField,
  strictBody,
  unwrapResourceBody,
  type Writable,
} from '../validation/strict-body';
import { GROUP_READ_ONLY_FIELDS, GroupDescription, GroupName } from './group-resource';

/** Most contact ids one membership request may name; more is a 413 (see `exceedsGroupContactsMax`). */
export const GROUP_CONTACTS_MAX = 1000;

/** Requests trim text; a blank description means none (as forms submit untouched inputs as ""). */
const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() : value);
const blankIsNull = (value: unknown) => {
  const text = trimmed(value);
  return text === '' ? null : text;
};

const nameInput = z.preprocess(trimmed, GroupName);
const descriptionInput = z.preprocess(blankIsNull, GroupDescription);

/** POST /api/user/crm/v202506/groups */
export const GroupCreateBody = strictBody({
  ...readOnlyFields(GROUP_READ_ONLY_FIELDS),
  name: nameInput,
  description: descriptionInput.default(null),
}).meta({ title: 'GroupCreateBody' });
export type GroupCreateBody = Writable<z.output<typeof GroupCreateBody>>;

/** PATCH /api/user/crm/v202506/groups/:id — only the given fields change. */
export const GroupUpdateBody = strictBody({
  ...readOnlyFields(GROUP_READ_ONLY_FIELDS),
  name: nameInput.optional(),
  description: descriptionInput.optional(),
})
  .superRefine(requireSomeField)
  .meta({ title: 'GroupUpdateBody' });
export type GroupUpdateBody = Writable<z.output<typeof GroupUpdateBody>>;

/** POST /api/user/crm/v202506/groups/:id/contacts */
export const GroupContactsAddBody = strictBody({
  contact_ids: z
    .array(PositiveId, { error: 'must be an array of contact ids' })
    .min(1, { error: 'must hold at least one contact id' })
    .max(GROUP_CONTACTS_MAX, { error: `must hold at most ${GROUP_CONTACTS_MAX} contact ids` })
    .meta({ description: `1–${GROUP_CONTACTS_MAX} contact ids; a repeated id counts once` }),
}).meta({ title: 'GroupContactsAddBody' });
export type GroupContactsAddBody = z.output<typeof GroupContactsAddBody>;

/** Accepts both `{"group": {...}}` and the bare object. */
export function unwrapGroupBody(body: unknown): unknown {
  return unwrapResourceBody(body, 'group');
}

/** True when a membership request names more than `GROUP_CONTACTS_MAX` ids (a 413, checked before parsing). */
export function exceedsGroupContactsMax(body: unknown): boolean {
  return exceedsArrayMax(body, 'contact_ids', GROUP_CONTACTS_MAX);
}
