import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Principal } from '@reps/auth';
import type { ServiceHandle } from '@reps/http';
import { createKafkaEventBus } from '@reps/kafka';
import { connectMongo } from '@reps/mongo';
import { freePort, requestAs, uniqueName, waitFor, type TestEnv } from '@reps/testing';
import { contactsQueryConfigSchema } from '../config';
import { startContactsQuery } from '../service';

export const TEST_SECRET = 'contacts-query-test-secret-0123456789';
const REPO = join(__dirname, '..', '..', '..', '..');

export interface ChildApp {
  proc: ChildProcess;
  port: number;
  base: string;
  /** The last lines the process wrote to stderr (for failure messages). */
  stderr(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Runs another app's build as a real process (an app may not import another app). Needs
 * `npm run build` first; `npm test` does it.
 */
export async function spawnApp(app: string, env: Record<string, string>): Promise<ChildApp> {
  const main = join(REPO, 'apps', app, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first (npm test does)`);
  const port = await freePort();
  const proc = spawn(process.execPath, [main], { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`${app} exited with ${proc.exitCode}: ${stderr}`);
      return (await fetch(`${base}/readyz`)).ok;
    },
    { what: `${app} ready`, timeoutMs: 60_000 },
  );
  return {
    proc,
    port,
    base,
    stderr: () => stderr,
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill(signal);
      await exited;
    },
  };
}

export interface ReadStack {
  topic: string;
  readDb: string;
  prefix: string;
  command: ChildApp;
  projection: ChildApp;
  query: ServiceHandle;
  /** The environment of the projection process (to start more of them). */
  projectionEnv: Record<string, string>;
  write(principal: Principal, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  read(principal: Principal, path: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** contacts-command and contacts-projection as processes, contacts-query in this process, on one isolated topic and databases. */
export async function startReadStack(env: TestEnv, queryOverrides: Record<string, string> = {}): Promise<ReadStack> {
  const topic = uniqueName('crm.contacts.read');
  const groupsTopic = uniqueName('crm.groups.read');
  // Every topic the projection reads gets a name of its own: a fresh projection on a shared topic
  // would first replay what every other test published there.
  const moreTopics = {
    SMARTLINKS_TOPIC: uniqueName('crm.smartlinks.read'),
    NOTES_TOPIC: uniqueName('crm.notes.read'),
    TASKS_TOPIC: uniqueName('crm.tasks.read'),
  };
  const commandDb = uniqueName('cmd').replace(/-/g, '_');
  const readDb = uniqueName('read').replace(/-/g, '_');
  const prefix = 'q_';
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    MONGO_URL: env.mongoUrl,
    CONTACTS_TOPIC: topic,
    CONTACTS_TOPIC_PARTITIONS: '3',
    GROUPS_TOPIC: groupsTopic,
    GROUPS_TOPIC_PARTITIONS: '3',
    ...moreTopics,
    SMARTLINKS_TOPIC_PARTITIONS: '3',
    NOTES_TOPIC_PARTITIONS: '3',
    TASKS_TOPIC_PARTITIONS: '3',
  };
  const command = await spawnApp('contacts-command', { ...common, MONGO_DB: commandDb, AUTH_JWT_SECRET: TEST_SECRET, OUTBOX_RELAY_INTERVAL_MS: '200' });
  const projectionEnv = {
    ...common,
    MONGO_DB: readDb,
    READ_MODEL_PREFIX: prefix,
    PROJECTION_GROUP_ID: uniqueName('read-proj'),
    GENERATION_POLL_MS: '200',
  };
  const projection = await spawnApp('contacts-projection', projectionEnv);
  const config = contactsQueryConfigSchema.parse({
    ...common,
    LOG_LEVEL: 'silent',
    PORT: '0',
    MONGO_DB: readDb,
    READ_MODEL_PREFIX: prefix,
    AUTH_JWT_SECRET: TEST_SECRET,
    GENERATION_CACHE_MS: '200',
    ...queryOverrides,
  });
  const query = await startContactsQuery(config, { handleSignals: false, exit: () => undefined });
  const writeAs = requestAs(command.base, TEST_SECRET);
  const readAs = requestAs(`http://127.0.0.1:${query.port}`, TEST_SECRET);
  const stack: ReadStack = {
    topic,
    readDb,
    prefix,
    command,
    projection,
    query,
    projectionEnv,
    write: (principal, method, path, body, headers) => writeAs(principal, method, path, body, headers),
    read: (principal, path, headers) => readAs(principal, 'GET', path, undefined, headers),
    async close() {
      await query.shutdown();
      await stack.projection.kill();
      await command.kill();
      const bus = createKafkaEventBus({ brokers: env.kafkaBrokers, clientId: uniqueName('cleanup') });
      const admin = await bus.admin();
      const topics = [topic, groupsTopic, ...Object.values(moreTopics)];
      await admin.deleteTopics([...topics, ...topics.map((name) => `${name}.dlq`)]).catch(() => undefined);
      await bus.close();
      for (const db of [commandDb, readDb]) {
        const mongo = await connectMongo({ url: env.mongoUrl, dbName: db, appName: 'cleanup' });
        await mongo.db.dropDatabase().catch(() => undefined);
        await mongo.close();
      }
    },
  };
  return stack;
}
