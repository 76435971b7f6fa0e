import type { NextFunction, Request, Response } from 'express';
import { principalOf } from '@reps/auth';
import type { KnownReps } from './known-reps';

/** After `requireScope('user')`: the rep's signed token proves they belong to its company (see KnownReps). */
export function registerRep(reps: KnownReps, clock: () => Date) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const principal = principalOf(req);
    if (principal.scope !== 'user') {
      next();
      return;
    }
    reps.register(principal.companyId, principal.userId, clock()).then(() => next(), next);
  };
}
