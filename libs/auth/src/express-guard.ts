import { ForbiddenError } from '@reps/errors';
import type { Principal, Scope } from './principal';
import type { TokenVerifier } from './verifier';

// Structural request/response types keep this lib free of an express dependency.
interface RequestLike {
  headers: { authorization?: string | undefined };
  principal?: Principal;
}
type Next = (error?: unknown) => void;

const PRINCIPAL = Symbol('principal');

/**
 * Guard for a route family of one scope: 401 when the token is missing/invalid/expired,
 * 403 when it is valid but of the other scope.
 */
export function requireScope(verifier: TokenVerifier, scope: Scope) {
  return (req: RequestLike, _res: unknown, next: Next): void => {
    verifier.verify(req.headers.authorization).then(
      (principal) => {
        if (principal.scope !== scope) {
          next(new ForbiddenError(`A ${principal.scope} token cannot use ${scope}-scoped routes`));
          return;
        }
        (req as unknown as Record<symbol, Principal>)[PRINCIPAL] = principal;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

/** The principal `requireScope` attached; throws if the route was not guarded (a wiring bug). */
export function principalOf(req: object): Principal {
  const principal = (req as Record<symbol, Principal | undefined>)[PRINCIPAL];
  if (!principal) throw new Error('principalOf called on a route without requireScope');
  return principal;
}
