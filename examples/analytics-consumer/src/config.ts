import { resolve } from 'node:path';

/** The public topics an analytics team reads; those that do not exist (yet) are skipped. */
export const DEFAULT_TOPICS = [
  'crm.contacts.v1',
  'crm.groups.v1',
  'crm.smartlinks.v1',
  'crm.notes.v1',
  'crm.tasks.v1',
];

export interface AnalyticsConfig {
  brokers: string[];
  groupId: string;
  topics: string[];
  /**
   * The counts live in memory, so by default every start rebuilds them from the start of each
   * topic (forgetting the group's committed offsets). `false` resumes from the committed
   * offsets (a new group: from the end): the counts then cover only what this run sees.
   */
  fromBeginning: boolean;
  /** While events keep arriving, the table is printed at most this often; otherwise once idle. */
  printEveryMs: number;
  /** The published JSON Schemas (one `*.schema.json` per event type). */
  schemasDir: string;
}

export class ConfigError extends Error {}

/** `docs/events` of this repository, from `src/` (tests) and `dist/` (built) alike. */
const REPO_SCHEMAS_DIR = resolve(__dirname, '../../../docs/events');

/** Reads the settings from the environment; an invalid value is a `ConfigError` naming the variable. */
export function readConfig(env: NodeJS.ProcessEnv): AnalyticsConfig {
  return {
    brokers: list(env['KAFKA_BROKERS'] ?? '127.0.0.1:9092', 'KAFKA_BROKERS'),
    groupId: nonBlank(env['ANALYTICS_GROUP_ID'] ?? 'analytics-example', 'ANALYTICS_GROUP_ID'),
    topics: list(env['ANALYTICS_TOPICS'] ?? DEFAULT_TOPICS.join(','), 'ANALYTICS_TOPICS'),
    fromBeginning: bool(env['ANALYTICS_FROM_BEGINNING'] ?? 'true', 'ANALYTICS_FROM_BEGINNING'),
    printEveryMs: positiveInt(env['ANALYTICS_PRINT_EVERY_MS'] ?? '10000', 'ANALYTICS_PRINT_EVERY_MS'),
    schemasDir: resolve(env['ANALYTICS_SCHEMAS_DIR'] ?? REPO_SCHEMAS_DIR),
  };
}

function nonBlank(value: string, name: string): string {
  const trimmed = value.trim();
  if (!trimmed) throw new ConfigError(`${name} must not be blank`);
  return trimmed;
}

function list(value: string, name: string): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) throw new ConfigError(`${name} must list at least one value (comma-separated)`);
  return [...new Set(items)];
}

function bool(value: string, name: string): boolean {
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(normalized)) return true;
  if (['false', '0', 'no'].includes(normalized)) return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}
