import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTACT_OPERATIONS, scopeBase } from '../contacts/contact-operations';
import { GROUP_OPERATIONS } from '../groups/group-operations';
import { buildOpenApiDocument } from './openapi-document';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const doc = buildOpenApiDocument() as Json;
const operation = (method: string, path: string): Json => doc['paths'][path][method];

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with a bearer JWT scheme required everywhere but the probes', () => {
    expect(doc['openapi']).toBe('3.1.0');
    expect(doc['components'].securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(doc['security']).toEqual([{ bearerAuth: [] }]);
    expect(operation('get', '/healthz').security).toEqual([]);
  });

  it('documents every contacts operation of the spec, in both scopes, with restore and user bulk', () => {
    const documented = Object.entries(doc['paths'] as Json)
      .flatMap(([path, ops]) => Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((line) => line.includes('/crm/v202506/contacts'))
      .sort();
    const base = (s: string) => `/api/${s}/crm/v202506/contacts`;
    expect(documented).toEqual(
      [
        ...['company', 'user'].flatMap((s) => [
          `GET ${base(s)}`,
          `POST ${base(s)}`,
          `GET ${base(s)}/{id}`,
          `PATCH ${base(s)}/{id}`,
          `DELETE ${base(s)}/{id}`,
          `POST ${base(s)}/{id}/restore`,
          `GET ${base(s)}/{id}/card`,
          `GET ${base(s)}/{id}/activities`,
        ]),
        `POST ${base('user')}/bulk`,
      ].sort(),
    );
  });

  it('documents SmartLinks (user), their settings (company), activities and the public routes without auth', () => {
    const ops = Object.entries(doc['paths'] as Json)
      .filter(([path]) => /smartlink|activities|^\/l\//.test(path))
      .flatMap(([path, ops]) => Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const user = '/api/user/crm/v202506';
    const company = '/api/company/crm/v202506';
    expect(ops).toEqual(
      [
        `GET ${user}/smartlinks`,
        `POST ${user}/smartlinks`,
        `GET ${user}/smartlinks/{id}`,
        `DELETE ${user}/smartlinks/{id}`,
        `GET ${company}/smartlink_settings`,
        `PUT ${company}/smartlink_settings`,
        `GET ${user}/contacts/{id}/activities`,
        `GET ${company}/contacts/{id}/activities`,
        `GET ${user}/activities`,
        'GET /l/{token}',
        'HEAD /l/{token}',
        'POST /api/public/smartlinks/{token}/activities',
      ].sort(),
    );
    for (const [method, path] of [
      ['get', '/l/{token}'],
      ['head', '/l/{token}'],
      ['post', '/api/public/smartlinks/{token}/activities'],
    ] as const) {
      expect(operation(method, path)).toMatchObject({ security: [], tags: ['Public SmartLink tracking'] });
    }
    expect(operation('post', `${user}/smartlinks`).tags).toEqual(['User SmartLinks']);
    expect(operation('get', `${user}/activities`).parameters.map((p: Json) => p.name)).toEqual([
      'limit',
      'cursor',
      'type',
      'since',
      'contact_id',
      'X-Consistency-Token',
    ]);
    expect(doc['components'].schemas.SmartlinkActivityBody).toBeDefined();
  });

  it('documents notes and tasks in both scopes, under their own tags', () => {
    const ops = Object.entries(doc['paths'] as Json)
      .filter(([path]) => /\/(notes|tasks)/.test(path))
      .flatMap(([path, ops]) => Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const base = (s: string, r: string) => `/api/${s}/crm/v202506/${r}`;
    expect(ops).toEqual(
      ['company', 'user']
        .flatMap((s) => [
          `GET ${base(s, 'notes')}`,
          `POST ${base(s, 'notes')}`,
          `GET ${base(s, 'notes')}/{id}`,
          `PATCH ${base(s, 'notes')}/{id}`,
          `DELETE ${base(s, 'notes')}/{id}`,
          `POST ${base(s, 'notes')}/{id}/restore`,
          `GET ${base(s, 'tasks')}`,
          `POST ${base(s, 'tasks')}`,
          `GET ${base(s, 'tasks')}/{id}`,
          `PATCH ${base(s, 'tasks')}/{id}`,
          `DELETE ${base(s, 'tasks')}/{id}`,
        ])
        .sort(),
    );
  });

  it('documents the groups operations, user scope only, under their own tag', () => {
    const base = '/api/user/crm/v202506/groups';
    const groups = Object.entries(doc['paths'] as Json)
      .filter(([path]) => path.includes('/groups'))
      .flatMap(([path, ops]) => Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(groups).toEqual(
      [
        `GET ${base}`,
        `POST ${base}`,
        `GET ${base}/{id}`,
        `PATCH ${base}/{id}`,
        `DELETE ${base}/{id}`,
        `POST ${base}/{id}/contacts`,
        `DELETE ${base}/{id}/contacts/{contact_id}`,
      ].sort(),
    );
    expect(operation('post', `${base}/{id}/contacts`).tags).toEqual(['User groups']);
    expect(
      operation('delete', `${base}/{id}/contacts/{contact_id}`).parameters.map((p: Json) => p.name),
    ).toEqual(['id', 'contact_id', 'If-Match']);
    expect(operation('delete', `${base}/{id}`).responses['204'].content).toBeUndefined();
    expect(operation('get', base).parameters.map((p: Json) => p.name)).toEqual([
      'limit',
      'cursor',
      'X-Consistency-Token',
    ]);
    const schemas = doc['components'].schemas as Json;
    expect(schemas['GroupCreateBody'].properties.contacts_count).toEqual({ not: {} });
    expect(schemas['GroupContactsAddBody'].properties.contact_ids).toMatchObject({
      minItems: 1,
      maxItems: 1000,
    });
    expect(schemas['GroupResponse'].properties.group).toEqual({ $ref: '#/components/schemas/Group' });
    expect(operation('post', base).requestBody.content['application/json'].schema.anyOf[1].required).toEqual([
      'group',
    ]);
  });

  it.each([...CONTACT_OPERATIONS, ...GROUP_OPERATIONS].map((op) => [op.operationId, op] as const))(
    '%s documents each status it can answer',
    (_id, op) => {
      const path = `${scopeBase(op.scope)}${op.path.replace(/:(\w+)/g, '{$1}')}`;
      const documented = operation(op.method.toLowerCase(), path);
      const statuses = Object.keys(documented['responses']).map(Number);
      for (const status of [400, 401, 403, 429, 503, op.success]) expect(statuses).toContain(status);
      if (op.path.includes(':id')) expect(statuses).toContain(404);
      if (op.body) expect(statuses).toEqual(expect.arrayContaining([413, 415, 422]));
      expect(documented['responses']['429'].headers['Retry-After']).toBeDefined();
      expect(documented['responses']['503'].headers['Retry-After']).toBeDefined();
      for (const status of statuses.filter((s) => s >= 400)) {
        expect(documented['responses'][String(status)].content['application/json'].schema).toEqual({
          $ref: '#/components/schemas/ErrorResponse',
        });
      }
    },
  );

  it('takes request bodies from the zod contracts, marking read-only fields as forbidden', () => {
    const schemas = doc['components'].schemas as Json;
    expect(schemas['UserContactCreateBody'].additionalProperties).toBe(false);
    expect(schemas['UserContactCreateBody'].properties.id).toEqual({ not: {} });
    expect(schemas['UserContactCreateBody'].properties.user_id).toEqual({ not: {} });
    expect(schemas['CompanyContactCreateBody'].required).toContain('user_id');
    expect(schemas['UserBulkCreateBody'].properties.contacts).toMatchObject({
      maxItems: 1000,
      minItems: 1,
      items: { anyOf: [{ $ref: '#/components/schemas/UserContactCreateBody' }, {}] },
    });
    // Blank means null on input; the API's email rule is zod's pattern, not JSON Schema's format.
    expect(schemas['UserContactCreateBody'].properties.email.anyOf).toContainEqual(
      expect.objectContaining({ pattern: '^\\s*$' }),
    );
    expect(JSON.stringify(schemas)).not.toContain('"format":"email"');
    expect(schemas['ContactResponse'].properties.contact).toEqual({ $ref: '#/components/schemas/Contact' });
    const list = operation('get', '/api/user/crm/v202506/contacts');
    expect(list.parameters.find((p: Json) => p.name === 'limit').schema).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: 25,
    });
  });

  it('states the cross-field rules zod checks with refinements: no empty PATCH, no due_time without due_date', () => {
    const schemas = doc['components'].schemas as Json;
    for (const body of [
      'UserContactUpdateBody',
      'CompanyContactUpdateBody',
      'GroupUpdateBody',
      'NoteUpdateBody',
      'TaskUpdateBody',
    ])
      expect(schemas[body].minProperties).toBe(1);
    expect(schemas['NoteCreateBody'].then).toEqual({
      required: ['due_date'],
      properties: { due_date: { type: 'string' } },
    });
  });

  it('is what docs/openapi.json holds (run node tools/generate-docs.cjs when this fails)', () => {
    const onDisk = JSON.parse(readFileSync(join(__dirname, '../../../../docs/openapi.json'), 'utf8')) as Json;
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
