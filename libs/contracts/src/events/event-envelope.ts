import { z } from 'zod';
import { IsoDateTime, PositiveId } from '../contacts/contact-fields';

/**
 * The one envelope of every event on every topic (DESIGN §3). Each topic's events narrow `type`
 * and `data` and describe the aggregate-specific fields (what `aggregate_id` names, what
 * `company_visible` means for that aggregate); the shape is the same everywhere so a consumer
 * can route, deduplicate and order any message without knowing its type.
 */

export const EVENT_SCHEMA_VERSION = 1;

/** Who caused an event: a rep through the user API, or a company through the company API. */
export const EventActor = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('user'), user_id: PositiveId, company_id: PositiveId }),
  z.object({ scope: z.literal('company'), user_id: z.null(), company_id: PositiveId }),
]);
export type EventActor = z.output<typeof EventActor>;

const TraceId = z.string().min(1).max(200);

/** What the envelope says about one aggregate type's fields. */
export interface EnvelopeDescriptions {
  aggregateId: string;
  aggregateVersion: string;
  userId: string;
  companyVisible: string;
}

export function eventEnvelopeSchema(describe: EnvelopeDescriptions) {
  return z
    .object({
      id: z.uuid().meta({ description: 'Unique event id; consumers deduplicate on it.' }),
      type: z.string().min(1),
      schema_version: z.literal(EVENT_SCHEMA_VERSION),
      occurred_at: IsoDateTime,
      aggregate_id: PositiveId.meta({ description: describe.aggregateId }),
      aggregate_version: z.int().min(1).meta({ description: describe.aggregateVersion }),
      company_id: PositiveId.meta({
        description:
          'The tenant: the company the owning rep belongs to. Always set, unlike the public company_id.',
      }),
      user_id: PositiveId.meta({ description: describe.userId }),
      company_visible: z.boolean().meta({ description: describe.companyVisible }),
      actor: EventActor,
      correlation_id: TraceId.meta({
        description: 'The request id of the HTTP call that led to this event.',
      }),
      causation_id: TraceId.nullable().meta({
        description: 'The id of the message that caused this one, if any.',
      }),
      data: z.unknown(),
    })
    .meta({ title: 'EventEnvelope' });
}

/** One topic's event types and the schema of each one's `data`: the single table its unions and docs are built from. */
type DataTable = Record<string, z.ZodType>;
type TypeOf<D extends DataTable> = keyof D & string;

/** An event as the domain decides it: `{type, data}`, before the service wraps it in an envelope. */
type PayloadSchema<D extends DataTable, K extends TypeOf<D>> = z.ZodObject<{
  type: z.ZodLiteral<K>;
  data: D[K];
}>;
/** An event as published: the topic's envelope with `type` and `data` narrowed. */
type EnvelopedSchema<S extends z.core.$ZodShape, D extends DataTable, K extends TypeOf<D>> = z.ZodObject<
  Omit<S, 'type' | 'data'> & { type: z.ZodLiteral<K>; data: D[K] }
>;
/** A union over the types of a table, one member per type (distributes, so `type` and `data` stay paired). */
type EachType<D extends DataTable, M extends { [K in TypeOf<D>]: z.ZodType }> = M[TypeOf<D>];

/** The domain's events of a topic: a discriminated union of `{type, data}`, one member per entry of `data`, in order. */
export function eventPayloadUnion<D extends DataTable>(data: D) {
  const options = Object.entries(data).map(([type, schema]) =>
    z.object({ type: z.literal(type), data: schema }),
  );
  return z.discriminatedUnion(
    'type',
    options as unknown as [z.ZodObject, ...z.ZodObject[]],
  ) as unknown as z.ZodDiscriminatedUnion<EachType<D, { [K in TypeOf<D>]: PayloadSchema<D, K> }>[], 'type'>;
}

/**
 * The published events of a topic: per type the envelope with `type` and `data` narrowed (titled with the
 * type, described by its data schema), and their discriminated union.
 */
export function publishedEvents<S extends z.core.$ZodShape, D extends DataTable>(
  envelope: z.ZodObject<S>,
  data: D,
) {
  const schemas = Object.fromEntries(
    Object.entries(data).map(([type, schema]) => [
      type,
      envelope
        .extend({ type: z.literal(type), data: schema })
        .meta({ title: type, description: schema.meta()?.description }),
    ]),
  ) as unknown as { [K in TypeOf<D>]: EnvelopedSchema<S, D, K> };
  const union = z.discriminatedUnion(
    'type',
    Object.values(schemas) as unknown as [z.ZodObject, ...z.ZodObject[]],
  ) as unknown as z.ZodDiscriminatedUnion<
    EachType<D, { [K in TypeOf<D>]: EnvelopedSchema<S, D, K> }>[],
    'type'
  >;
  return { schemas, union };
}

/**
 * The data of every `*.updated` event: only the fields that changed (`changes`), the values they
 * had before (`previous`), and when. Both name the same fields, at least one. The published JSON
 * Schema carries `minProperties: 1` (consumers validate with it, not with zod); "the same fields"
 * has no JSON Schema keyword, so the descriptions say it.
 */
export function fieldChangesData<F extends z.ZodObject>(fields: F, description: string) {
  return z
    .object({
      changes: fields.meta({
        description: 'Each field that changed, with its new value (at least one).',
        minProperties: 1,
      }),
      previous: fields.meta({
        description: 'The same fields as changes (no more, no fewer), with the values they had before.',
        minProperties: 1,
      }),
      updated_at: IsoDateTime,
    })
    .superRefine(sameChangedFields)
    .meta({ description });
}

/**
 * `changes` names at least one field, and `previous` the same ones. Typed `unknown` because TS
 * cannot see the keys of an object over a generic shape; the object schema has parsed both already.
 */
function sameChangedFields(value: unknown, ctx: z.RefinementCtx): void {
  const data = value as { changes: object; previous: object };
  const changed = Object.keys(data.changes).sort();
  if (changed.length === 0)
    ctx.addIssue({ code: 'custom', message: 'must change at least one field', path: ['changes'] });
  if (changed.join(',') !== Object.keys(data.previous).sort().join(','))
    ctx.addIssue({ code: 'custom', message: 'must name the same fields as changes', path: ['previous'] });
}
