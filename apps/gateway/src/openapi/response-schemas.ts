import { z } from 'zod';
import { Contact } from '@reps/contracts';

/**
 * The response envelopes of DESIGN §3 around the `Contact` contract. Only documented here:
 * the gateway relays the upstream bodies as they are and does not re-validate them.
 */

export const FieldIssueSchema = z
  .object({ field: z.string(), message: z.string() })
  .meta({ title: 'FieldIssue' });

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({
        description: 'Stable machine-readable code, e.g. `validation_failed`, `not_found`, `rate_limited`',
      }),
      message: z.string(),
      details: z.array(FieldIssueSchema).optional(),
    }),
    meta: z.object({ request_id: z.string() }),
  })
  .meta({ title: 'ErrorResponse' });

export const ContactResponse = z.object({ contact: Contact }).meta({ title: 'ContactResponse' });

export const ContactListResponse = z
  .object({
    contacts: z.array(Contact),
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
  .meta({ title: 'ContactListResponse' });

const BulkItemError = z.object({
  code: z.string(),
  message: z.string(),
  details: z.array(FieldIssueSchema).optional(),
});

export const BulkCreateResponse = z
  .object({
    results: z.array(
      z.object({
        index: z.int().min(0).meta({ description: 'Position of the item in the request' }),
        status: z.int().meta({ description: '201 when created, else the status of its error (e.g. 422)' }),
        contact: Contact.optional(),
        error: BulkItemError.optional(),
      }),
    ),
    meta: z.object({ created: z.int().min(0), failed: z.int().min(0) }),
  })
  .meta({ title: 'BulkCreateResponse' });
