import { z } from 'zod';
import {
  CONTACTS_TOPIC,
  CONTACT_EVENT_SCHEMA_VERSION,
  CONTACT_EVENT_TYPES,
  contactEventSchemas,
  type ContactEventType,
} from '../contacts/contact-events';

/** One generated file: `path` is relative to the repository root. */
export interface GeneratedDocument {
  path: string;
  content: Record<string, unknown>;
}

const KAFKA_BINDING_VERSION = '0.5.0';

/**
 * Events are documented as consumers receive them, i.e. the input side of the schemas: an
 * object does not forbid additional properties, because additive changes stay within v1
 * and a consumer validating against these files must keep working through them.
 */
function eventJsonSchema(
  type: ContactEventType,
  target: 'draft-2020-12' | 'draft-7',
): Record<string, unknown> {
  return z.toJSONSchema(contactEventSchemas[type], { io: 'input', target }) as Record<string, unknown>;
}

/** `contact.created` → `contactCreated`, the form AsyncAPI tooling expects for component keys. */
function messageId(type: ContactEventType): string {
  return type.replace(/\.(\w)/g, (_match, letter: string) => letter.toUpperCase());
}

function asyncApiDocument(): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const type of CONTACT_EVENT_TYPES) {
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
          key: {
            type: 'string',
            pattern: '^[1-9][0-9]*$',
            description: 'The contact id (aggregate_id) as a decimal string.',
          },
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
    };
  }
  const channelMessages = Object.fromEntries(
    CONTACT_EVENT_TYPES.map((type) => [
      messageId(type),
      { $ref: `#/components/messages/${messageId(type)}` },
    ]),
  );
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Reps CRM contact events',
      version: `${CONTACT_EVENT_SCHEMA_VERSION}.0.0`,
      description: [
        'Every change to a contact, published by contacts-command for downstream consumers.',
        'Messages are keyed by the contact id, so the events of one contact arrive in order',
        '(aggregate_version 1, 2, 3, …) on one partition. Delivery is at-least-once: deduplicate',
        'on the event id. Additive changes (new optional fields, new event types) stay in v1 and',
        'must be ignored by consumers that do not know them; breaking changes get a new topic.',
        'Generated from libs/contracts by tools/generate-docs.cjs; do not edit by hand.',
      ].join(' '),
    },
    defaultContentType: 'application/json',
    channels: {
      contacts: {
        address: CONTACTS_TOPIC,
        title: 'Contact events',
        description: 'All events of the contact aggregate, one JSON envelope per message.',
        messages: channelMessages,
        bindings: { kafka: { topic: CONTACTS_TOPIC, bindingVersion: KAFKA_BINDING_VERSION } },
      },
    },
    operations: {
      publishContactEvents: {
        action: 'send',
        channel: { $ref: '#/channels/contacts' },
        summary: 'contacts-command publishes each stored contact event (through its outbox relay).',
        messages: CONTACT_EVENT_TYPES.map((type) => ({
          $ref: `#/channels/contacts/messages/${messageId(type)}`,
        })),
      },
    },
    components: { messages, schemas },
  };
}

/**
 * The event documentation generated from the zod contracts: one JSON Schema (draft 2020-12)
 * per event type under `docs/events/`, and the AsyncAPI 3.0 document of the topic.
 */
export function generateEventDocs(): GeneratedDocument[] {
  return [
    ...CONTACT_EVENT_TYPES.map((type) => ({
      path: `docs/events/${type}.schema.json`,
      content: eventJsonSchema(type, 'draft-2020-12'),
    })),
    { path: 'docs/asyncapi.json', content: asyncApiDocument() },
  ];
}
