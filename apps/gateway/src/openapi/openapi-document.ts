import { z } from 'zod';
import { BULK_MAX, Contact, ContactListQuery, Group, GroupMembershipResult } from '@reps/contracts';
import { CONTACT_OPERATIONS, scopeBase, type ContactOperation } from '../contacts/contact-operations';
import { GROUP_OPERATIONS } from '../groups/group-operations';
import { GroupListResponse, GroupMembershipResponse, GroupResponse } from '../groups/group-response-schemas';
import { NOTE_TASK_OPERATIONS } from '../notes-tasks/note-task-operations';
import { NOTE_TASK_RESPONSE_SCHEMAS } from '../notes-tasks/note-task-response-schemas';
import { PUSH_OPERATIONS } from '../push/push-operations';
import { PUBLIC_SMARTLINK_PATHS, PUBLIC_SMARTLINK_SCHEMAS } from '../smartlinks/public-smartlink-openapi';
import { ACTIVITY_OPERATIONS, SMARTLINK_OPERATIONS } from '../smartlinks/smartlink-operations';
import { SMARTLINK_RESPONSE_SCHEMAS } from '../smartlinks/smartlink-response-schemas';
import {
  NotificationSettingsResponse,
  PushSubscriptionListResponse,
  PushSubscriptionResponse,
  VapidPublicKeyResponse,
} from '../push/push-response-schemas';
import {
  BulkCreateResponse,
  ContactListResponse,
  ContactResponse,
  ErrorResponse,
  FieldIssueSchema,
} from './response-schemas';

type Json = Record<string, unknown>;

/** Every documented operation, in the order the document lists them. */
const OPERATIONS: readonly ContactOperation[] = [
  ...CONTACT_OPERATIONS,
  ...GROUP_OPERATIONS,
  ...NOTE_TASK_OPERATIONS,
  ...SMARTLINK_OPERATIONS,
  ...ACTIVITY_OPERATIONS,
  ...PUSH_OPERATIONS,
];

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

const BLANK_IS_NULL = { type: 'string', pattern: '^\\s*$', description: 'Blank: the same as null' };

/**
 * Request fields are normalized before validation (`z.preprocess` in the contracts: trimmed, and a
 * blank string means null). zod documents only the validated form, so the blank string that a
 * nullable field also accepts is added here.
 */
function documentNormalization(ctx: { zodSchema: unknown; jsonSchema: Json }): void {
  documentEmail(ctx);
  const def = (ctx.zodSchema as { _zod: { def: { type: string; in?: { _zod: { def: { type: string } } } } } })
    ._zod.def;
  if (def.type !== 'pipe' || def.in?._zod.def.type !== 'transform') return;
  const anyOf = ctx.jsonSchema['anyOf'];
  if (Array.isArray(anyOf) && anyOf.some((branch: Json) => branch['type'] === 'null'))
    anyOf.push(BLANK_IS_NULL);
}

/**
 * zod's email rule is its `pattern`, which the schema carries; JSON Schema's `email` format is
 * another, stricter rule (e.g. at most 64 characters before the @) that validators and fuzzers
 * enforce, so documenting both would document a rule the API does not apply.
 */
function documentEmail(ctx: { jsonSchema: Json }): void {
  if (ctx.jsonSchema['format'] === 'email' && typeof ctx.jsonSchema['pattern'] === 'string')
    delete ctx.jsonSchema['format'];
}

// The bodies' cross-field rules (superRefine in the contracts), which zod cannot express in
// JSON Schema: a create names the contact somehow; an update changes at least one field.
const IDENTIFYING_FIELDS = ['first_name', 'last_name', 'email', 'phone'];
const CROSS_FIELD_RULES: Record<string, Json> = {
  UserContactCreateBody: {
    anyOf: IDENTIFYING_FIELDS.map((f) => ({
      required: [f],
      properties: { [f]: { type: 'string', pattern: '\\S' } },
    })),
  },
  CompanyContactCreateBody: {
    anyOf: IDENTIFYING_FIELDS.map((f) => ({
      required: [f],
      properties: { [f]: { type: 'string', pattern: '\\S' } },
    })),
  },
  // An empty PATCH is a 400 (requireSomeField), not a no-op.
  UserContactUpdateBody: { minProperties: 1 },
  CompanyContactUpdateBody: { minProperties: 1 },
  GroupUpdateBody: { minProperties: 1 },
  NoteUpdateBody: { minProperties: 1 },
  TaskUpdateBody: { minProperties: 1 },
  // A due_time needs a due_date (note-bodies timeNeedsDate).
  NoteCreateBody: {
    if: { required: ['due_time'], properties: { due_time: { type: 'string' } } },
    then: { required: ['due_date'], properties: { due_date: { type: 'string' } } },
  },
};

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) for every schema in `entries`, cross-referenced by id. */
function components(entries: [string, z.ZodType][], io: 'input' | 'output'): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of entries) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
    override: io === 'input' ? documentNormalization : documentEmail,
  }) as { schemas: Record<string, Json> };
  for (const [id, rules] of Object.entries(CROSS_FIELD_RULES))
    if (schemas[id]) Object.assign(schemas[id], rules);
  const bulkItems = (schemas['UserBulkCreateBody']?.['properties'] as Record<string, Json> | undefined)?.[
    'contacts'
  ];
  if (bulkItems) {
    // Items are validated one by one and an invalid one fails alone (422 in its result) while the
    // request succeeds, so the request schema accepts any item; the shape to send is the contact.
    bulkItems['items'] = {
      description:
        'A contact (UserContactCreateBody, bare or wrapped); an item that is not fails alone, with status 422 in its result',
      anyOf: [{ $ref: '#/components/schemas/UserContactCreateBody' }, {}],
    };
  }
  // Each generated schema names itself as a standalone document; inside `components` it is not one.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema]),
  );
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON, an unknown or invalid query parameter, or a malformed `If-Match` / `Idempotency-Key` header',
  401: 'Missing, malformed, invalid or expired bearer token',
  403: 'A valid token of the other scope (a user token on a company route, or the reverse)',
  404: 'No such contact (or group), or one outside the caller scope (indistinguishable on purpose)',
  409: 'Conflict: `contact_discarded`, `group_name_taken`, `concurrent_modification`, `idempotency_key_reused`, `idempotency_key_in_progress`, or on a list `list_walk_too_old`',
  412: '`If-Match` names a version that is no longer current',
  413: `Body over the size limit (1 MB; 10 MB for bulk) or more than ${BULK_MAX} contacts in a bulk (or contact ids in a group membership request)`,
  415: 'Unsupported body charset or content encoding',
  422: 'Field validation failed, including read-only (`is read-only`) and unknown (`is not a known field`) fields; `details` names each field',
  429: 'Rate limit exceeded; retry after `Retry-After` seconds',
  503: 'A dependency is down or too slow; retry after `Retry-After` seconds',
};

const header = (description: string, schema: Json = { type: 'string' }) => ({ description, schema });

const REQUEST_ID_HEADER = header(
  'The request id: the caller’s `X-Request-Id` when well-formed, else a generated one',
);
const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': header('Requests allowed per window for this principal', { type: 'integer' }),
  'RateLimit-Remaining': header('Requests left in the current window', { type: 'integer' }),
  'RateLimit-Reset': header('Seconds until the window resets', { type: 'integer' }),
  'RateLimit-Policy': header('The limit and its window, e.g. `600;w=60`'),
};
const RETRY_AFTER = { 'Retry-After': header('Seconds to wait before retrying', { type: 'integer' }) };

const HEADER_PARAMETERS: Record<ContactOperation['headers'][number], Json> = {
  'idempotency-key': {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes a retry safe: the same key and body replay the first answer (`Idempotent-Replayed: true`); the same key with another body is a 409. Keys are per principal and live 24 h.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[!-~]+$' },
  },
  'if-match': {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'The `ETag` of the version you last saw, e.g. `W/"3"`; a stale one is a 412.',
    schema: { type: 'string', pattern: '^((W/)?"[0-9]{1,15}"|\\*)$' },
  },
  'x-consistency-token': {
    name: 'X-Consistency-Token',
    in: 'header',
    required: false,
    description:
      'The `X-Consistency-Token` of a write: the read waits (bounded) until it reflects that write.',
    schema: { type: 'string', minLength: 1, maxLength: 512 },
  },
};

function successResponse(op: ContactOperation): Json {
  if (op.response !== undefined) return documentedResponse(op, op.response);
  const schema =
    op.kind === 'list'
      ? ref('ContactListResponse')
      : op.kind === 'bulk'
        ? ref('BulkCreateResponse')
        : ref('ContactResponse');
  const headers: Json = { 'X-Request-Id': REQUEST_ID_HEADER, ...RATE_LIMIT_HEADERS };
  if (op.upstream === 'command' && op.kind !== 'bulk') {
    headers['ETag'] = header('The contact version, `W/"<version>"`; send it back as `If-Match`');
    headers['X-Consistency-Token'] = header('Send it on a read to see this write');
  }
  if (op.kind === 'create') headers['Location'] = header('The URL of the new contact');
  if (op.headers.includes('idempotency-key'))
    headers['Idempotent-Replayed'] = header('`true` when this is a replay of an earlier answer', {
      type: 'string',
      enum: ['true'],
    });
  if (op.upstream === 'query' && (op.kind === 'get' || op.kind === 'list'))
    headers['X-Consistency'] = header(
      'With `X-Consistency-Token`: `fresh` when the read caught up with that write, `stale` when the wait ran out first',
      {
        type: 'string',
        enum: ['fresh', 'stale'],
      },
    );
  const description =
    op.kind === 'list'
      ? 'A page of contacts'
      : op.kind === 'bulk'
        ? 'Per-item results (created or failed); the request as a whole succeeded'
        : op.kind === 'create'
          ? 'Created'
          : 'The contact';
  return { description, headers, content: { 'application/json': { schema } } };
}

/** The success answer of an operation that names its own response (groups, …). */
function documentedResponse(op: ContactOperation, response: NonNullable<ContactOperation['response']> | null): Json {
  const headers: Json = { 'X-Request-Id': REQUEST_ID_HEADER, ...RATE_LIMIT_HEADERS };
  if (op.upstream === 'command') {
    if (!(response === null && op.kind === 'delete'))
      headers['ETag'] = header('The version, `W/"<version>"`; send it back as `If-Match`');
    headers['X-Consistency-Token'] = header('Send it on a read to see this write');
  }
  if (op.kind === 'create') headers['Location'] = header('The URL of the new resource');
  if (op.headers.includes('idempotency-key'))
    headers['Idempotent-Replayed'] = header('`true` when this is a replay of an earlier answer', { type: 'string', enum: ['true'] });
  if (op.upstream === 'query' && (op.kind === 'get' || op.kind === 'list'))
    headers['X-Consistency'] = header(
      'With `X-Consistency-Token`: `fresh` when the read caught up with that write, `stale` when the wait ran out first',
      { type: 'string', enum: ['fresh', 'stale'] },
    );
  if (response === null) return { description: 'Done; no content', headers };
  return { description: response.description, headers, content: { 'application/json': { schema: ref(response.schemaName) } } };
}

function errorResponse(status: number): Json {
  const headers: Json = { 'X-Request-Id': REQUEST_ID_HEADER };
  if (status === 429 || status === 503) Object.assign(headers, RETRY_AFTER);
  if (status === 429) Object.assign(headers, RATE_LIMIT_HEADERS);
  return {
    description: ERROR_DESCRIPTIONS[status] ?? 'Error',
    headers,
    content: { 'application/json': { schema: ref('ErrorResponse') } },
  };
}

function listParameters(query: z.ZodObject = ContactListQuery): Json[] {
  return Object.entries(query.shape).map(([name, schema]) => {
    // Parameters are documented as the values they denote (integers as integers), which is
    // also how clients and fuzzers serialize them into the query string; defaults stay visible.
    const inner = schema instanceof z.ZodDefault || schema instanceof z.ZodOptional ? schema.unwrap() : schema;
    const { $schema: _schema, ...json } = z.toJSONSchema(inner as z.ZodType, { io: 'output', target: 'draft-2020-12' }) as Json;
    if (schema instanceof z.ZodDefault) json['default'] = (schema.def.defaultValue as unknown);
    // The description sits on the outer (optional/default) schema, which toJSONSchema of the inner one does not see.
    const description = schema.description ?? (typeof json['description'] === 'string' ? json['description'] : undefined);
    return { name, in: 'query', required: false, ...(description ? { description } : {}), schema: json };
  });
}

/** The key of the wrapped body form: `{"contact": …}`, `{"group": …}`. */
const wrapperOf = (op: ContactOperation) => op.body?.wrapper ?? 'contact';

function operationObject(op: ContactOperation): Json {
  const parameters: Json[] = [];
  for (const [, name] of op.path.matchAll(/:(\w+)/g)) {
    parameters.push({
      name,
      in: 'path',
      required: true,
      description: op.pathParams?.[name as string] ?? 'The contact id',
      schema: { type: 'integer', minimum: 1 },
    });
  }
  if (op.kind === 'list') parameters.push(...listParameters(op.query));
  for (const name of op.headers) parameters.push(HEADER_PARAMETERS[name]);

  const responses: Json = {};
  for (const status of [...op.statuses].sort((a, b) => a - b)) {
    // A second success status (a create that may also refresh: 201 or 200) shares the success body.
    responses[String(status)] = status === op.success || status < 300 ? successResponse(op) : errorResponse(status);
  }
  const operation: Json = {
    operationId: op.operationId,
    tags: [op.tag ?? (op.scope === 'user' ? 'User contacts' : 'Company contacts')],
    summary: op.summary,
    description: op.description,
    ...(parameters.length > 0 ? { parameters } : {}),
    responses,
  };
  if (op.body) {
    const body = ref(op.body.schemaName);
    operation['requestBody'] = {
      required: true,
      description: op.bodyDescription ?? (op.body.wrapped ? 'The contact, bare or wrapped as `{"contact": {...}}`' : undefined),
      content: {
        'application/json': {
          schema: op.body.wrapped
            ? {
                anyOf: [
                  body,
                  {
                    type: 'object',
                    properties: { [wrapperOf(op)]: body },
                    required: [wrapperOf(op)],
                    additionalProperties: false,
                  },
                ],
              }
            : body,
        },
      },
    };
  }
  return operation;
}

const operationsPaths = (): Json => {
  const paths: Record<string, Json> = {};
  for (const op of OPERATIONS) {
    const path = `${scopeBase(op.scope)}${op.path.replace(/:(\w+)/g, '{$1}')}`;
    (paths[path] ??= {})[op.method.toLowerCase()] = operationObject(op);
  }
  return paths;
};

const probe = (summary: string, ok: string, schema: Json, extra: Json = {}): Json => ({
  get: {
    operationId: summary
      .replace(/\W+(\w)/g, (_m, c: string) => c.toUpperCase())
      .replace(/^\w/, (c) => c.toLowerCase()),
    tags: ['Operations'],
    summary,
    security: [],
    responses: {
      '200': { description: ok, content: { 'application/json': { schema } } },
      ...extra,
    },
  },
});

const PROBE_BODY = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    service: { type: 'string' },
    checks: { type: 'object', additionalProperties: { type: 'string' } },
    unavailable: { type: 'array', items: { type: 'string' } },
  },
  required: ['status', 'service'],
};

/** The OpenAPI 3.1 document of the public API, generated from the zod contracts and the operation table. */
export function buildOpenApiDocument(): Json {
  const inputs = new Map<string, z.ZodType>();
  for (const op of OPERATIONS) if (op.body) inputs.set(op.body.schemaName, op.body.schema);
  for (const [name, schema] of PUBLIC_SMARTLINK_SCHEMAS) inputs.set(name, schema);
  const schemas = {
    ...components([...inputs], 'input'),
    ...components(
      [
        ['Contact', Contact],
        ['ContactResponse', ContactResponse],
        ['ContactListResponse', ContactListResponse],
        ['BulkCreateResponse', BulkCreateResponse],
        ['Group', Group],
        ['GroupMembershipResult', GroupMembershipResult],
        ['GroupResponse', GroupResponse],
        ['GroupListResponse', GroupListResponse],
        ['GroupMembershipResponse', GroupMembershipResponse],
        ...NOTE_TASK_RESPONSE_SCHEMAS,
        ...SMARTLINK_RESPONSE_SCHEMAS,
        ['PushSubscriptionResponse', PushSubscriptionResponse],
        ['PushSubscriptionListResponse', PushSubscriptionListResponse],
        ['VapidPublicKeyResponse', VapidPublicKeyResponse],
        ['NotificationSettingsResponse', NotificationSettingsResponse],
        ['ErrorResponse', ErrorResponse],
        ['FieldIssue', FieldIssueSchema],
      ],
      'output',
    ),
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Reps CRM API',
      version: '2025-06',
      description: [
        'The public API of Reps CRM, served by the gateway. Every operation takes `Authorization: Bearer <JWT>`',
        '(HS256; claims `scope` = `user` | `company`, `company_id`, `sub` = user id for user tokens, `exp`).',
        'A **user** token sees and changes only the contacts the rep owns; a **company** token only the contacts',
        "created on the company's website or through the Company API. Anything outside the caller scope is a 404.",
        '',
        'Errors share one envelope: `{"error": {"code", "message", "details"?}, "meta": {"request_id"}}`.',
        'Every answer carries `X-Request-Id` and, on `/api` routes, `RateLimit-*` headers.',
        '',
        'Generated from the zod contracts in `libs/contracts` by `node tools/generate-docs.cjs`; do not edit by hand.',
      ].join('\n'),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [
      { name: 'User contacts', description: 'A rep’s own contacts (user tokens)' },
      {
        name: 'Company contacts',
        description: 'Contacts from the company website and Company API (company tokens)',
      },
      { name: 'User groups', description: 'A rep’s named sets of their own contacts (user tokens only)' },
      { name: 'User notes', description: 'Notes on a rep’s own contacts (user tokens)' },
      { name: 'Company notes', description: 'Notes on the company-visible contacts (company tokens)' },
      { name: 'User tasks', description: 'A rep’s tasks, their own and those a company assigned them (user tokens)' },
      { name: 'Company tasks', description: 'Tasks a company assigned to its reps (company tokens)' },
      { name: 'User SmartLinks', description: 'Tracked links a rep shares with their contacts (user tokens only)' },
      { name: 'Company SmartLink settings', description: 'The hosts SmartLinks may point to (company tokens)' },
      { name: 'User activities', description: 'Contacts’ timelines and the rep’s feed (user tokens)' },
      { name: 'Company activities', description: 'Timelines of company-visible contacts (company tokens)' },
      {
        name: 'Public SmartLink tracking',
        description: 'No token: the SmartLink token in the path is the capability. Rate limited per IP and per token.',
      },
      {
        name: 'User notifications',
        description: 'A rep’s push subscriptions (Web Push) and notification settings, served by the notifier (user tokens only)',
      },
      { name: 'Operations', description: 'Liveness and readiness probes (no token)' },
    ],
    security: [{ bearerAuth: [] }],
    paths: {
      ...operationsPaths(),
      ...PUBLIC_SMARTLINK_PATHS,
      '/healthz': probe('Liveness probe', 'The process is alive', PROBE_BODY),
      '/readyz': probe('Readiness probe', 'Redis and both upstream services answer', PROBE_BODY, {
        '503': {
          description: 'A dependency is down, or the gateway is shutting down',
          content: { 'application/json': { schema: PROBE_BODY } },
        },
      }),
    },
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'HS256 (or RS256 via JWKS) JWT with `scope`, `company_id`, `sub` (user tokens) and `exp`',
        },
      },
      schemas,
    },
  };
}
