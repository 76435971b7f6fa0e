import { z } from 'zod';
import {
  CONTACTS_TOPIC,
  CONTACT_EVENT_SCHEMA_VERSION,
  CONTACT_EVENT_TYPES,
  contactEventSchemas,
} from '../contacts/contact-events';
import {
  SMARTLINKS_TOPIC,
  SMARTLINK_EVENT_TYPES,
  smartlinkEventSchemas,
} from '../smartlinks/smartlink-events';
import { TASKS_TOPIC, TASK_EVENT_TYPES, taskEventSchemas } from '../tasks/task-events';
import { NOTES_TOPIC, NOTE_EVENT_TYPES, noteEventSchemas } from '../notes/note-events';
import { GROUPS_TOPIC, GROUP_EVENT_TYPES, groupEventSchemas } from '../groups/group-events';

/** One generated file: `path` is relative to the repository root. */
export interface GeneratedDocument {
  path: string;
  content: Record<string, unknown>;
}

const KAFKA_BINDING_VERSION = '0.5.0';

/** One documented topic: its channel in the AsyncAPI document and the events it carries. */
interface DocumentedTopic {
  channel: string;
  address: string;
  title: string;
  description: string;
  /** Which aggregate id the message key is. */
  keyDescription: string;
  operationId: string;
  publisher: string;
  schemas: Record<string, z.ZodType>;
}

const TOPICS: DocumentedTopic[] = [
  {
    channel: 'contacts',
    address: CONTACTS_TOPIC,
    title: 'Contact events',
    description: 'All events of the contact aggregate, one JSON envelope per message.',
    keyDescription: 'The contact id (aggregate_id) as a decimal string.',
    operationId: 'publishContactEvents',
    publisher: 'contacts-command publishes each stored contact event (through its outbox relay).',
    schemas: contactEventSchemas,
  },
  {
    channel: 'groups',
    address: GROUPS_TOPIC,
    title: 'Group events',
    description:
      "All events of the group aggregate (a rep's named sets of their own contacts): created, renamed or described, deleted, contacts added and removed.",
    keyDescription: 'The group id (aggregate_id) as a decimal string.',
    operationId: 'publishGroupEvents',
    publisher: 'contacts-command publishes each stored group event (through its outbox relay).',
    schemas: groupEventSchemas,
  },
  {
    channel: 'smartlinks',
    address: SMARTLINKS_TOPIC,
    title: 'SmartLink events',
    description:
      'SmartLinks shared, revoked, opened and acted on; the notifier turns opens and activities into pushes. The SmartLink token never appears on this topic.',
    keyDescription: 'The SmartLink id (aggregate_id) as a decimal string.',
    operationId: 'publishSmartlinkEvents',
    publisher: 'The SmartLinks service publishes each stored SmartLink event.',
    schemas: smartlinkEventSchemas,
  },
  {
    channel: 'notes',
    address: NOTES_TOPIC,
    title: 'Note events',
    description:
      'All events of the note aggregate (notes on contacts): created, changed, deleted (soft) and restored. company_visible says whether the company scope sees the note (its contact is company-visible).',
    keyDescription: 'The note id (aggregate_id) as a decimal string.',
    operationId: 'publishNoteEvents',
    publisher: 'contacts-command publishes each stored note event (through its outbox relay).',
    schemas: noteEventSchemas,
  },
  {
    channel: 'tasks',
    address: TASKS_TOPIC,
    title: 'Task events',
    description:
      "All events of the task aggregate; the notifier schedules a reminder at each pending task's due_at.",
    keyDescription: 'The task id (aggregate_id) as a decimal string.',
    operationId: 'publishTaskEvents',
    publisher: 'contacts-command publishes each stored task event (through its outbox relay).',
    schemas: taskEventSchemas,
  },
];

const EVENT_TYPES: string[] = [
  ...CONTACT_EVENT_TYPES,
  ...GROUP_EVENT_TYPES,
  ...SMARTLINK_EVENT_TYPES,
  ...NOTE_EVENT_TYPES,
  ...TASK_EVENT_TYPES,
];
const schemaOf = (type: string): z.ZodType => {
  const schema = TOPICS.map((topic) => topic.schemas[type]).find(Boolean);
  if (!schema) throw new Error(`no schema for event type ${type}`);
  return schema;
};

/**
 * Events are documented as consumers receive them, i.e. the input side of the schemas: an
 * object does not forbid additional properties, because additive changes stay within v1
 * and a consumer validating against these files must keep working through them.
 */
function eventJsonSchema(type: string, target: 'draft-2020-12' | 'draft-7'): Record<string, unknown> {
  return z.toJSONSchema(schemaOf(type), { io: 'input', target }) as Record<string, unknown>;
}

/** `contact.created` → `contactCreated`, the form AsyncAPI tooling expects for component keys. */
function messageId(type: string): string {
  return type.replace(/\.(\w)/g, (_match, letter: string) => letter.toUpperCase());
}

function asyncApiDocument(): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const topic of TOPICS) {
    const types = Object.keys(topic.schemas);
    for (const type of types) {
      const id = messageId(type);
      // AsyncAPI's default schema format is a superset of JSON Schema draft-07, so payloads are
      // emitted in that dialect, without a `$schema` of their own.
      const { $schema: _dialect, ...payload } = eventJsonSchema(type, 'draft-7');
      schemas[`${id}Event`] = payload;
      messages[id] = {
        name: type,
        title: type,
        summary: typeof payload['description'] === 'string' ? payload['description'] : type,
        contentType: 'application/json',
        correlationId: { location: '$message.payload#/correlation_id' },
        payload: { $ref: `#/components/schemas/${id}Event` },
        bindings: {
          kafka: {
            key: { type: 'string', pattern: '^[1-9][0-9]*$', description: topic.keyDescription },
            bindingVersion: KAFKA_BINDING_VERSION,
          },
        },
      };
    }
    channels[topic.channel] = {
      address: topic.address,
      title: topic.title,
      description: topic.description,
      messages: Object.fromEntries(
        types.map((type) => [messageId(type), { $ref: `#/components/messages/${messageId(type)}` }]),
      ),
      bindings: { kafka: { topic: topic.address, bindingVersion: KAFKA_BINDING_VERSION } },
    };
    operations[topic.operationId] = {
      action: 'send',
      channel: { $ref: `#/channels/${topic.channel}` },
      summary: topic.publisher,
      messages: types.map((type) => ({ $ref: `#/channels/${topic.channel}/messages/${messageId(type)}` })),
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Reps CRM events',
      version: `${CONTACT_EVENT_SCHEMA_VERSION}.0.0`,
      description: [
        'The public event topics of Reps CRM (contacts, SmartLinks, tasks), for downstream consumers.',
        'Messages are keyed by the aggregate id, so the events of one aggregate arrive in order',
        '(aggregate_version 1, 2, 3, …) on one partition. Delivery is at-least-once: deduplicate',
        'on (aggregate_id, aggregate_version), or equivalently on the event id (a redelivered copy',
        'keeps its id; one version is one event). Additive changes (new optional fields, new event types) stay in v1 and',
        'must be ignored by consumers that do not know them; breaking changes get a new topic.',
        'Generated from libs/contracts by tools/generate-docs.cjs; do not edit by hand.',
      ].join(' '),
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages, schemas },
  };
}

/**
 * The event documentation generated from the zod contracts: one JSON Schema (draft 2020-12)
 * per event type under `docs/events/`, and the AsyncAPI 3.0 document of every topic.
 */
export function generateEventDocs(): GeneratedDocument[] {
  return [
    ...EVENT_TYPES.map((type) => ({
      path: `docs/events/${type}.schema.json`,
      content: eventJsonSchema(type, 'draft-2020-12'),
    })),
    { path: 'docs/asyncapi.json', content: asyncApiDocument() },
  ];
}
