import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { PublishedSchema } from './published-schemas';

/** The envelope fields this consumer relies on; every published event has them. */
export interface EventEnvelope {
  id: string;
  type: string;
  aggregate_id: number;
  aggregate_version: number;
  /** The tenant (always set). */
  company_id: number;
  data: unknown;
}

/** What one Kafka message turned out to be. */
export type Classified =
  /** Valid against the published schema of its type (unknown fields included: they are allowed). */
  | { kind: 'event'; event: EventEnvelope }
  /** A type no published schema describes: ignored, as the compatibility rule says. */
  | { kind: 'unknown_type'; type: string }
  /** Not JSON, no `type`, or fails its type's schema: counted and logged, never applied. */
  | { kind: 'invalid'; type: string | null; reason: string };

export type ClassifyMessage = (value: Buffer | null) => Classified;

/**
 * Compiles the published schemas once and classifies raw message values against them.
 * `strict: false` because the schemas are someone else's documents: ajv's strict mode would
 * reject keywords it merely cannot type-check, not invalid events.
 */
export function createEventClassifier(schemas: PublishedSchema[]): ClassifyMessage {
  const ajv = new Ajv2020({ allErrors: false, strict: false });
  addFormats(ajv);
  const validators = new Map<string, ValidateFunction>(schemas.map((s) => [s.type, ajv.compile(s.schema)]));

  return (value) => {
    if (value === null || value.length === 0) return { kind: 'invalid', type: null, reason: 'empty message' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.toString('utf8'));
    } catch {
      return { kind: 'invalid', type: null, reason: 'not JSON' };
    }
    const type =
      typeof parsed === 'object' && parsed !== null ? (parsed as { type?: unknown }).type : undefined;
    if (typeof type !== 'string') return { kind: 'invalid', type: null, reason: 'no string "type" field' };
    const validate = validators.get(type);
    if (!validate) return { kind: 'unknown_type', type };
    if (!validate(parsed)) return { kind: 'invalid', type, reason: describeErrors(validate.errors) };
    return { kind: 'event', event: parsed as EventEnvelope };
  };
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return 'does not match its schema';
  return `${first.instancePath || '(root)'} ${first.message ?? 'is invalid'}`;
}
