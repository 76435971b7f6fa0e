import { z } from 'zod';

/** Who is calling: a rep (user scope) or a company's back office / website (company scope). */
export type Principal =
  | { scope: 'user'; userId: number; companyId: number }
  | { scope: 'company'; companyId: number };

export type Scope = Principal['scope'];

const positiveId = z.number().int().positive();

/** The JWT claims of DESIGN §3; `sub` carries the user id as a string for user tokens. */
export const tokenClaimsSchema = z.discriminatedUnion('scope', [
  z.object({
    scope: z.literal('user'),
    company_id: positiveId,
    sub: z.string().regex(/^[1-9]\d{0,15}$/, 'sub must be the user id'),
    exp: z.number(),
  }),
  z.object({ scope: z.literal('company'), company_id: positiveId, exp: z.number() }),
]);

export function principalFromClaims(claims: unknown): Principal | undefined {
  const parsed = tokenClaimsSchema.safeParse(claims);
  if (!parsed.success) return undefined;
  const c = parsed.data;
  return c.scope === 'user'
    ? { scope: 'user', userId: Number(c.sub), companyId: c.company_id }
    : { scope: 'company', companyId: c.company_id };
}
