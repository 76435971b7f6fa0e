import { z } from 'zod';

export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 25;
const LIMIT_MESSAGE = `must be an integer from 1 to ${LIST_LIMIT_MAX}`;

/** A positive integer id given as query text. */
export const positiveIdText = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, { error: 'must be a positive integer' })
  .transform(Number)
  .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER, { error: 'must be a positive integer' }));

export const CONTACT_DISCARDED_MODES = ['exclude', 'include'] as const;

/**
 * `limit`, `cursor` and `contact_discarded`, as the note and task lists share them: what is on a
 * discarded contact stays, hidden until asked for or until the contact is restored.
 */
export const listQueryFields = {
  limit: z
    .string()
    .regex(/^\d{1,4}$/, { error: LIMIT_MESSAGE })
    .transform(Number)
    .pipe(z.number().int().min(1, { error: LIMIT_MESSAGE }).max(LIST_LIMIT_MAX, { error: LIMIT_MESSAGE }))
    .default(LIST_LIMIT_DEFAULT)
    .meta({ description: `Page size, 1–${LIST_LIMIT_MAX} (default ${LIST_LIMIT_DEFAULT})` }),
  cursor: z
    .string()
    .min(1)
    .max(1024, { error: 'is not a cursor from this API' })
    .optional()
    .meta({ description: 'Opaque `next_cursor` from the previous page (with the same filters)' }),
  contact_discarded: z
    .enum(CONTACT_DISCARDED_MODES, { error: `must be one of ${CONTACT_DISCARDED_MODES.join(', ')}` })
    .default('exclude')
    .meta({
      description:
        'Items on a discarded (soft-deleted) contact: `exclude` (default) or `include`; they come back by themselves when the contact is restored',
    }),
};
