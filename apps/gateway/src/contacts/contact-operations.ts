import type { z } from 'zod';
import type { Scope } from '@reps/auth';
import {
  CompanyContactCreateBody,
  CompanyContactUpdateBody,
  UserBulkCreateBody,
  UserContactCreateBody,
  UserContactUpdateBody,
} from '@reps/contracts';

export const API_VERSION = 'v202506';

export const scopeBase = (scope: Scope) => `/api/${scope}/crm/${API_VERSION}`;

export type Upstream = 'command' | 'query' | 'notifier';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One public operation. This table drives both the gateway's routes and its OpenAPI document,
 * so what is documented is exactly what is served.
 */
export interface ContactOperation {
  operationId: string;
  scope: Scope;
  method: HttpMethod;
  /** Below the scope base, express syntax (`/contacts/:id`). */
  path: string;
  upstream: Upstream;
  summary: string;
  description: string;
  /** The request body contract, for operations that take one. */
  /** `wrapper` names the key of the wrapped form (default `contact`: `{"contact": {...}}`). */
  body?: { schemaName: string; schema: z.ZodType; wrapped: boolean; wrapper?: string };
  kind: 'list' | 'get' | 'create' | 'bulk' | 'update' | 'delete' | 'restore' | 'add-members' | 'remove-member';
  success: 200 | 201 | 204;
  /** Every status this operation can answer, success included. */
  statuses: number[];
  headers: ('idempotency-key' | 'if-match' | 'x-consistency-token')[];
  /** The OpenAPI tag; default `User contacts` / `Company contacts`. */
  tag?: string;
  /** The success body's schema (a component name) and description; `null` answers 204 with no body. Default: by `kind`. */
  response?: { schemaName: string; description: string } | null;
  /** The list's query parameters; default the contact list's. */
  query?: z.ZodObject;
  /** Descriptions of the path parameters; default `id` = the contact id. */
  pathParams?: Record<string, string>;
  /** What the body is, wrapped or bare (default: "The contact, …"). */
  bodyDescription?: string;
}

/** Any public operation of the gateway (contacts, groups, …): the same table shape drives routes and OpenAPI. */
export type ApiOperation = ContactOperation;

// Statuses every /api operation can answer: bad request line or headers, auth, limits, upstream down.
const COMMON = [400, 401, 403, 429, 503];
// Any request that may carry a body: malformed JSON (400), too large, unsupported charset/encoding.
const BODY = [413, 415];

function scopeOperations(scope: Scope): ContactOperation[] {
  const Scope = scope === 'user' ? 'User' : 'Company';
  const who =
    scope === 'user'
      ? 'the calling rep owns'
      : "created on the company's website or through the Company API (never contacts a rep created in the app)";
  const createSchema = scope === 'user' ? UserContactCreateBody : CompanyContactCreateBody;
  const updateSchema = scope === 'user' ? UserContactUpdateBody : CompanyContactUpdateBody;
  const outOfScope = 'A contact outside the caller scope is a 404, exactly like one that does not exist.';

  const operations: ContactOperation[] = [
    {
      operationId: `${scope}ListContacts`,
      scope,
      method: 'GET',
      path: '/contacts',
      upstream: 'query',
      kind: 'list',
      summary: scope === 'user' ? "List the rep's contacts" : 'List the company contacts',
      description: `Contacts ${who}, a page at a time (opaque \`cursor\`). Unknown parameters are a 400. Send the \`X-Consistency-Token\` of a write to read your own write. A walk sorted by \`updated_at\` or \`last_name\` keeps every contact where it was when the first page was read; if more than 1000 of the listed contacts changed since, the next page is a 409 \`list_walk_too_old\` (start again without the cursor).`,
      success: 200,
      statuses: [200, ...COMMON, 409],
      headers: ['x-consistency-token'],
    },
    {
      operationId: `${scope}GetContact`,
      scope,
      method: 'GET',
      path: '/contacts/:id',
      upstream: 'query',
      kind: 'get',
      summary: 'Get a contact',
      description: `${outOfScope} Send the \`X-Consistency-Token\` of a write to read your own write.`,
      success: 200,
      statuses: [200, ...COMMON, 404],
      headers: ['x-consistency-token'],
    },
    {
      operationId: `${scope}CreateContact`,
      scope,
      method: 'POST',
      path: '/contacts',
      upstream: 'command',
      kind: 'create',
      summary: 'Create a contact',
      description:
        (scope === 'user'
          ? 'The caller becomes the owner; `origin` is `user_app` and `company_id` is null.'
          : '`user_id` names the owning rep; `origin` is `company_api` (default) or `company_website`.') +
        ' Read-only and unknown fields are a 422 naming each one. With `Idempotency-Key`, a retry with the same body replays the first answer (`Idempotent-Replayed: true`).',
      body: { schemaName: `${Scope}ContactCreateBody`, schema: createSchema, wrapped: true },
      success: 201,
      statuses: [201, ...COMMON, ...BODY, 409, 422],
      headers: ['idempotency-key'],
    },
    {
      operationId: `${scope}UpdateContact`,
      scope,
      method: 'PATCH',
      path: '/contacts/:id',
      upstream: 'command',
      kind: 'update',
      summary: 'Update a contact',
      description: `Only the given fields change; \`null\` clears an optional field. \`If-Match\` with a stale ETag is a 412. ${outOfScope}`,
      body: { schemaName: `${Scope}ContactUpdateBody`, schema: updateSchema, wrapped: true },
      success: 200,
      statuses: [200, ...COMMON, ...BODY, 404, 409, 412, 422],
      headers: ['if-match'],
    },
    {
      operationId: `${scope}DeleteContact`,
      scope,
      method: 'DELETE',
      path: '/contacts/:id',
      upstream: 'command',
      kind: 'delete',
      summary: 'Delete (discard) a contact',
      description: `A soft delete: sets \`discarded_at\`; restorable. Repeating it changes nothing. ${outOfScope}`,
      success: 200,
      statuses: [200, ...COMMON, ...BODY, 404, 409, 412],
      headers: ['if-match'],
    },
    {
      operationId: `${scope}RestoreContact`,
      scope,
      method: 'POST',
      path: '/contacts/:id/restore',
      upstream: 'command',
      kind: 'restore',
      summary: 'Restore a discarded contact',
      description: `Clears \`discarded_at\`. Restoring a live contact changes nothing. ${outOfScope}`,
      success: 200,
      statuses: [200, ...COMMON, ...BODY, 404, 409, 412],
      headers: ['idempotency-key', 'if-match'],
    },
  ];
  if (scope === 'user') {
    operations.splice(3, 0, {
      operationId: 'userBulkCreateContacts',
      scope,
      method: 'POST',
      path: '/contacts/bulk',
      upstream: 'command',
      kind: 'bulk',
      summary: 'Create up to 1000 contacts',
      description:
        'Each item is validated and created on its own: the answer lists, per index, the created contact or the error. More than 1000 items (or a body over 10 MB) is a 413 and writes nothing.',
      body: { schemaName: 'UserBulkCreateBody', schema: UserBulkCreateBody, wrapped: false },
      success: 200,
      statuses: [200, ...COMMON, ...BODY, 409, 422],
      headers: ['idempotency-key'],
    });
  }
  return operations;
}

export const CONTACT_OPERATIONS: readonly ContactOperation[] = [
  ...scopeOperations('company'),
  ...scopeOperations('user'),
];
