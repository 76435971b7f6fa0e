import { ContactEvent } from '@reps/contracts';

export type DeadLetterReason = 'json_parse_failed' | 'schema_invalid' | 'unprojectable';

export type DecodedMessage =
  { ok: true; event: ContactEvent } | { ok: false; reason: DeadLetterReason; detail: string };

const DETAIL_MAX = 1000;

function clip(text: string): string {
  return text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX - 1)}…` : text;
}

/** A Kafka message value → an event of one topic's contract, or why it is poison. */
export function decodeEventMessage<E extends { type: string; aggregate_version: number }>(
  value: Buffer | null,
  schema: {
    safeParse(
      json: unknown,
    ):
      | { success: true; data: E }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  creationType: string,
): { ok: true; event: E } | { ok: false; reason: DeadLetterReason; detail: string } {
  if (value === null)
    return { ok: false, reason: 'json_parse_failed', detail: 'the message has no value (tombstone)' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return {
      ok: false,
      reason: 'json_parse_failed',
      detail: clip(error instanceof Error ? error.message : String(error)),
    };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    return { ok: false, reason: 'schema_invalid', detail: clip(detail) };
  }
  // The stream's first event, and only it, creates the aggregate; anything else is corrupt.
  if ((parsed.data.type === creationType) !== (parsed.data.aggregate_version === 1)) {
    return {
      ok: false,
      reason: 'schema_invalid',
      detail: `${parsed.data.type} cannot have aggregate_version ${parsed.data.aggregate_version}`,
    };
  }
  return { ok: true, event: parsed.data };
}

/**
 * A Kafka message value → a contact event, or why it is poison. Parsed with the public contract
 * schema: a message the schema rejects can never be applied, so retrying it would only block
 * its partition; it goes to the dead-letter topic instead.
 */
export function decodeContactMessage(value: Buffer | null): DecodedMessage {
  return decodeEventMessage(value, ContactEvent, 'contact.created');
}
