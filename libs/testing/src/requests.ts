import { mintToken, type Principal } from '@reps/auth';

/**
 * An HTTP call to a service under test: as `principal` (a bearer token signed with the test
 * secret) or, with null or undefined, without one. A body that is not a string is sent as JSON.
 */
export type RequestAs = (
  principal: Principal | null | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<Response>;

export function requestAs(base: string | (() => string), secret: string): RequestAs {
  return async (principal, method, path, body, headers = {}) =>
    fetch(`${typeof base === 'function' ? base() : base}${path}`, {
      method,
      headers: {
        ...(principal ? { authorization: `Bearer ${await mintToken(secret, principal)}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
}
