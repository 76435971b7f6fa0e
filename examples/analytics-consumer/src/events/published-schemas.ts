import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One published event schema (`docs/events/<type>.schema.json`, JSON Schema 2020-12). */
export interface PublishedSchema {
  /** The event type the schema describes (its `type` const). */
  type: string;
  file: string;
  schema: Record<string, unknown>;
}

/**
 * Reads every `*.schema.json` in `dir`. The event type is the schema's `properties.type.const`
 * (the file name is only a fallback), so a schema for a new topic's events is picked up
 * without changing this code.
 */
export function loadPublishedSchemas(dir: string): PublishedSchema[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.schema.json'))
    .sort();
  if (files.length === 0) throw new Error(`no *.schema.json files in ${dir}`);
  return files.map((name) => {
    const file = join(dir, name);
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return { type: typeConstOf(schema) ?? name.slice(0, -'.schema.json'.length), file, schema };
  });
}

function typeConstOf(schema: Record<string, unknown>): string | undefined {
  const type = (schema['properties'] as Record<string, { const?: unknown }> | undefined)?.['type']?.const;
  return typeof type === 'string' ? type : undefined;
}

/**
 * The values an enum field of an event's `data` may take, in the schema's order
 * (e.g. `contact.created` → `status`): the table's columns follow the published contract.
 */
export function dataEnum(schemas: PublishedSchema[], type: string, field: string): string[] {
  const schema = schemas.find((s) => s.type === type)?.schema;
  const data = (schema?.['properties'] as Record<string, Record<string, unknown>> | undefined)?.['data'];
  const values = (data?.['properties'] as Record<string, { enum?: unknown }> | undefined)?.[field]?.enum;
  return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
}
