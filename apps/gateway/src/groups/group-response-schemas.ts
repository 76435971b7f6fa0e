import { z } from 'zod';
import { Group, GroupMembershipResult } from '@reps/contracts';

/** The response envelopes of the groups operations (documentation only: the gateway relays bodies as they are). */

export const GroupResponse = z.object({ group: Group }).meta({ title: 'GroupResponse' });

export const GroupListResponse = z
  .object({
    groups: z.array(Group),
    meta: z.object({
      pagination: z.object({
        limit: z.int().min(1).max(100),
        next_cursor: z
          .string()
          .nullable()
          .meta({ description: 'Pass as `cursor` for the next page; null on the last page' }),
      }),
      request_id: z.string(),
    }),
  })
  .meta({ title: 'GroupListResponse' });

export const GroupMembershipResponse = z
  .object({
    results: z
      .array(GroupMembershipResult)
      .meta({ description: 'One per distinct requested id, in request order' }),
    meta: z.object({ added: z.int().min(0), already_member: z.int().min(0), failed: z.int().min(0) }),
  })
  .meta({ title: 'GroupMembershipResponse' });
