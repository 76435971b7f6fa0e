import { z } from 'zod';
import { IsoDateTime, PositiveId } from '../contacts/contact-fields';

export const GROUP_NAME_MAX = 100;
export const GROUP_DESCRIPTION_MAX = 1000;

const NAME_MESSAGE = `must be 1–${GROUP_NAME_MAX} characters (after trimming), without control characters`;

/** A group name as stored and published: trimmed, 1–100 characters, no control characters. */
export const GroupName = z
  .string({ error: NAME_MESSAGE })
  .min(1, { error: NAME_MESSAGE })
  .max(GROUP_NAME_MAX, { error: NAME_MESSAGE })
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, { error: NAME_MESSAGE })
  .regex(/^\S(?:[\s\S]*\S)?$/, { error: NAME_MESSAGE })
  .meta({ description: `1–${GROUP_NAME_MAX} characters; unique per rep, compared case-insensitively` });

export const GroupDescription = z
  .string({ error: `must be text of at most ${GROUP_DESCRIPTION_MAX} characters, or null` })
  .max(GROUP_DESCRIPTION_MAX, { error: `must be at most ${GROUP_DESCRIPTION_MAX} characters` })
  .nullable();

/**
 * The key a name is unique under, per rep: case and surrounding blanks do not make two names
 * different ("VIP", " vip " and "Vip" are one name). NFC first, so a composed and a decomposed
 * "é" are one name too.
 */
export function groupNameKey(name: string): string {
  return name.trim().normalize('NFC').toLowerCase();
}

/** The Group resource as the API returns it (user scope only: a group belongs to one rep). */
export const Group = z
  .object({
    id: PositiveId,
    name: GroupName,
    description: GroupDescription,
    contacts_count: z
      .int()
      .min(0)
      .meta({ description: 'Members that are not discarded (soft-deleted) contacts of the rep' }),
    created_at: IsoDateTime,
    updated_at: IsoDateTime.meta({ description: 'Last change of the name, description or members' }),
  })
  .meta({
    title: 'Group',
    description: "A rep's named set of their own contacts; a contact may be in many.",
  });
export type Group = z.output<typeof Group>;

/** Resource fields a client may never write. */
export const GROUP_READ_ONLY_FIELDS = ['id', 'contacts_count', 'created_at', 'updated_at'] as const;

/** What one id of a membership request came to. */
export const GROUP_MEMBERSHIP_STATUSES = ['added', 'already_member', 'error'] as const;

export const GroupMembershipResult = z
  .object({
    contact_id: PositiveId,
    status: z.enum(GROUP_MEMBERSHIP_STATUSES),
    error: z.object({ code: z.string(), message: z.string() }).optional().meta({
      description:
        '`not_found` for an id that is not one of the rep’s contacts (absent or someone else’s: indistinguishable), `contact_discarded` for a discarded one',
    }),
  })
  .meta({ title: 'GroupMembershipResult' });
export type GroupMembershipResult = z.output<typeof GroupMembershipResult>;
