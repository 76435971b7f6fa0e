import { CONTACTS_TOPIC, CONTACT_EVENT_TYPES } from '../contacts/contact-events';
import { SMARTLINKS_TOPIC, SMARTLINK_EVENT_TYPES } from '../smartlinks/smartlink-events';
import { TASKS_TOPIC, TASK_EVENT_TYPES } from '../tasks/task-events';
import { GROUPS_TOPIC, GROUP_EVENT_TYPES } from '../groups/group-events';
import { NOTES_TOPIC, NOTE_EVENT_TYPES } from '../notes/note-events';
import { generateEventDocs } from './generate-event-docs';

const ALL_EVENT_TYPES: string[] = [
  ...CONTACT_EVENT_TYPES,
  ...GROUP_EVENT_TYPES,
  ...SMARTLINK_EVENT_TYPES,
  ...NOTE_EVENT_TYPES,
  ...TASK_EVENT_TYPES,
];

describe('generateEventDocs', () => {
  const docs = generateEventDocs();
  const byPath = new Map(docs.map((doc) => [doc.path, doc.content]));

  it('writes one JSON Schema per event type and the AsyncAPI document', () => {
    expect([...byPath.keys()].sort()).toEqual(
      [...ALL_EVENT_TYPES.map((type) => `docs/events/${type}.schema.json`), 'docs/asyncapi.json'].sort(),
    );
  });

  it.each(ALL_EVENT_TYPES)('documents %s as envelope + data', (type) => {
    const schema = byPath.get(`docs/events/${type}.schema.json`) as {
      $schema: string;
      title: string;
      required: string[];
      properties: { type: { const: string }; data: { type: string } };
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe(type);
    expect(schema.properties.type.const).toBe(type);
    expect(schema.properties.data.type).toBe('object');
    expect(schema.required).toEqual(
      expect.arrayContaining([
        'id',
        'type',
        'schema_version',
        'occurred_at',
        'aggregate_id',
        'aggregate_version',
        'company_id',
        'user_id',
        'company_visible',
        'actor',
        'correlation_id',
        'causation_id',
        'data',
      ]),
    );
  });

  it('documents every contact field in contact.created', () => {
    const schema = byPath.get('docs/events/contact.created.schema.json') as {
      properties: { data: { required: string[] } };
    };
    expect(schema.properties.data.required).toEqual(
      expect.arrayContaining([
        'id',
        'token',
        'tenant_company_id',
        'company_id',
        'user_id',
        'origin',
        'email',
        'metadata',
      ]),
    );
  });

  it('never puts a SmartLink token on the topic', () => {
    for (const type of SMARTLINK_EVENT_TYPES) {
      const schema = byPath.get(`docs/events/${type}.schema.json`) as {
        properties: { data: { properties: object } };
      };
      const fields = Object.keys(schema.properties.data.properties);
      expect(fields).not.toContain('token');
      expect(fields).not.toContain('share_url');
      expect(fields).toContain('contact_id');
    }
  });

  describe('the AsyncAPI document', () => {
    const asyncapi = byPath.get('docs/asyncapi.json') as {
      asyncapi: string;
      channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
      operations: Record<string, { action: string; messages: { $ref: string }[] }>;
      components: {
        messages: Record<
          string,
          { name: string; payload: { $ref: string }; bindings: { kafka: { key: unknown } } }
        >;
        schemas: Record<string, { $schema?: string; properties: { type: { const: string } } }>;
      };
    };

    it('is AsyncAPI 3.0 with a channel per topic', () => {
      expect(asyncapi.asyncapi).toBe('3.0.0');
      expect(asyncapi.channels['contacts']?.address).toBe(CONTACTS_TOPIC);
      expect(asyncapi.channels['smartlinks']?.address).toBe(SMARTLINKS_TOPIC);
      expect(asyncapi.channels['tasks']?.address).toBe(TASKS_TOPIC);
      expect(asyncapi.channels['groups']?.address).toBe(GROUPS_TOPIC);
      expect(asyncapi.channels['notes']?.address).toBe(NOTES_TOPIC);
      for (const operation of Object.values(asyncapi.operations)) expect(operation.action).toBe('send');
    });

    it('has a message per event type, keyed by the contact id, with a payload that resolves', () => {
      const messages = Object.values(asyncapi.components.messages);
      expect(messages.map((message) => message.name).sort()).toEqual([...ALL_EVENT_TYPES].sort());
      for (const message of messages) {
        expect(message.bindings.kafka.key).toMatchObject({ type: 'string' });
        const schemaName = message.payload.$ref.replace('#/components/schemas/', '');
        const payload = asyncapi.components.schemas[schemaName];
        expect(payload?.properties.type.const).toBe(message.name);
        expect(payload?.$schema).toBeUndefined();
      }
    });

    it('lets every channel and operation reference resolve', () => {
      const resolve = (ref: string) =>
        ref
          .replace(/^#\//, '')
          .split('/')
          .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], asyncapi);
      const refs = [
        ...Object.values(asyncapi.channels).flatMap((channel) =>
          Object.values(channel.messages).map((message) => message.$ref),
        ),
        ...Object.values(asyncapi.operations).flatMap((operation) =>
          operation.messages.map((message) => message.$ref),
        ),
      ];
      expect(refs).toHaveLength(ALL_EVENT_TYPES.length * 2);
      for (const ref of refs) expect(resolve(ref)).toBeDefined();
    });
  });
});
