import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { mintToken, type Principal } from '@reps/auth';
import { boundPort, closeServer, listen, type ServiceHandle } from '@reps/http';
import { connectMongo, type MongoHandle } from '@reps/mongo';
import { createKafkaEventBus } from '@reps/kafka';
import { closeRedis, createRedisConnection } from '@reps/redis';
import { freePort, requestAs, uniqueName, waitFor, type TestEnv } from '@reps/testing';
import { gatewayConfigSchema } from '../config';
import { startGateway } from '../service';

export const TEST_SECRET = 'gateway-test-secret-0123456789abcdefgh';
const REPO_ROOT = resolve(__dirname, '../../../..');

export interface GatewayUnderTest {
  base: string;
  handle: ServiceHandle;
  token(principal: Principal): Promise<string>;
  request(
    principal: Principal | undefined,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  close(): Promise<void>;
}

/** A gateway in this process on a free port, with its own rate-limit counters unless told otherwise. */
export async function startGatewayUnderTest(
  env: TestEnv,
  overrides: Record<string, string> = {},
  /** Gateways given the same prefix share their rate-limit counters, like instances of one deployment. */
  { rateLimitKeyPrefix = uniqueName('gw-rl') }: { rateLimitKeyPrefix?: string } = {},
): Promise<GatewayUnderTest> {
  const config = gatewayConfigSchema.parse({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    REDIS_URL: env.redisUrl,
    AUTH_JWT_SECRET: TEST_SECRET,
    ...overrides,
  });
  const handle = await startGateway(config, {
    handleSignals: false,
    exit: () => undefined,
    rateLimitKeyPrefix,
  });
  const base = `http://127.0.0.1:${handle.port}`;
  const token = (principal: Principal) => mintToken(TEST_SECRET, principal);
  return {
    base,
    handle,
    token,
    request: requestAs(base, TEST_SECRET),
    close: () => handle.shutdown(),
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface EchoUpstream {
  url: string;
  requests: RecordedRequest[];
  /** What the next answers are; default 200 `{"ok":true}`. `hang` never answers. */
  respond: {
    status: number;
    headers: Record<string, string>;
    body: string;
    hang?: boolean;
    delayMs?: number;
  };
  /** Calls left unanswered (`hang`) whose connection the gateway closed. */
  abandoned: number;
  close(): Promise<void>;
}

const DEFAULT_ECHO_ANSWER: EchoUpstream['respond'] = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };

/** A real HTTP server standing in for an upstream service, recording what the gateway sent. */
export async function startEchoUpstream(): Promise<EchoUpstream> {
  const requests: RecordedRequest[] = [];
  const hung = new Set<import('node:http').ServerResponse>();
  const upstream: EchoUpstream = {
    url: '',
    requests,
    respond: { ...DEFAULT_ECHO_ANSWER },
    abandoned: 0,
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await closeServer(server);
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const { status, headers, body, hang, delayMs } = upstream.respond;
      if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        return;
      }
      if (hang) {
        hung.add(res);
        res.once('close', () => {
          if (hung.delete(res)) upstream.abandoned += 1;
        });
        return;
      }
      setTimeout(() => res.writeHead(status, headers).end(body), delayMs ?? 0);
    });
  });
  await listen(server, 0, '127.0.0.1');
  upstream.url = `http://127.0.0.1:${boundPort(server)}`;
  return upstream;
}

interface RunningApp {
  name: string;
  url: string;
  child: ChildProcess;
  output: string[];
}

async function spawnApp(name: string, env: Record<string, string>): Promise<RunningApp> {
  const main = join(REPO_ROOT, 'apps', name, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -b tsconfig.json)`);
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env['PATH'] ?? '',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`${name} exited with ${child.exitCode}: ${output.join('').slice(-2000)}`);
        const res = await fetch(`${url}/readyz`);
        return res.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: `${name} to be ready` },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { name, url, child, output };
}

async function stopApp(app: RunningApp): Promise<void> {
  if (app.child.exitCode !== null) return;
  const exited = new Promise((done) => app.child.once('exit', done));
  app.child.kill('SIGTERM');
  const timer = setTimeout(() => app.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** A gateway whose two upstreams (command and query) are echo servers: what it forwards, with no service behind. */
export interface GatewayOverEchoes {
  command: EchoUpstream;
  query: EchoUpstream;
  gw: GatewayUnderTest;
  /** Forgets the recorded requests and restores the default answer (call it before each test). */
  reset(): void;
  close(): Promise<void>;
}

export async function startGatewayOverEchoes(env: TestEnv, overrides: Record<string, string> = {}): Promise<GatewayOverEchoes> {
  const command = await startEchoUpstream();
  const query = await startEchoUpstream();
  const gw = await startGatewayUnderTest(env, { CONTACTS_COMMAND_URL: command.url, CONTACTS_QUERY_URL: query.url, ...overrides }).catch(
    async (error: unknown) => {
      await command.close();
      await query.close();
      throw error;
    },
  );
  return {
    command,
    query,
    gw,
    reset() {
      for (const upstream of [command, query]) {
        upstream.requests.length = 0;
        upstream.respond = { ...DEFAULT_ECHO_ANSWER };
        upstream.abandoned = 0;
      }
    },
    async close() {
      await gw.close();
      await command.close();
      await query.close();
    },
  };
}

/** A gateway in front of the real services (see {@link startStack}). */
export interface GatewayOverStack {
  stack: StackUnderTest;
  gw: GatewayUnderTest;
  close(): Promise<void>;
}

export async function startGatewayOverStack(env: TestEnv, overrides: Record<string, string> = {}): Promise<GatewayOverStack> {
  const stack = await startStack(env);
  const gw = await startGatewayUnderTest(env, {
    CONTACTS_COMMAND_URL: stack.commandUrl,
    CONTACTS_QUERY_URL: stack.queryUrl,
    NOTIFIER_URL: stack.notifierUrl,
    ...overrides,
  }).catch(
    async (error: unknown) => {
      await stack.close();
      throw error;
    },
  );
  return {
    stack,
    gw,
    async close() {
      await gw.close();
      await stack.close();
    },
  };
}

export interface StackUnderTest {
  commandUrl: string;
  queryUrl: string;
  /** The notifier (push subscriptions and settings), with its own database, queues and topics. */
  notifierUrl: string;
  /** The command service's database: its event store proves that a denied write wrote nothing. */
  commandDb: MongoHandle;
  /** This stack's `crm.groups.v1` stand-in. */
  groupsTopic: string;
  /** This stack's `crm.notes.v1` and `crm.tasks.v1` stand-ins (the notifier reads the tasks one). */
  notesTopic: string;
  tasksTopic: string;
  /** This stack's `crm.smartlinks.v1` stand-in (command, projection and notifier share it). */
  smartlinksTopic: string;
  /** The public base of share URLs (the command and query services agree on it). */
  publicBaseUrl: string;
  close(): Promise<void>;
}

/**
 * The services behind the gateway as real processes from their builds, isolated from other
 * tests by their own databases and topic: contacts-command, contacts-projection, contacts-query.
 */
export async function startStack(env: TestEnv): Promise<StackUnderTest> {
  const topic = uniqueName('crm.contacts.gw');
  const groupsTopic = uniqueName('crm.groups.gw');
  const commandDbName = uniqueName('gw_cmd').replace(/-/g, '_');
  const readDbName = uniqueName('gw_read').replace(/-/g, '_');
  const notifierDbName = uniqueName('gw_notifier').replace(/-/g, '_');
  const notifierTopics = [uniqueName('crm.smartlinks.gw'), uniqueName('crm.tasks.gw')];
  const notesTopic = uniqueName('crm.notes.gw');
  const common = {
    NODE_ENV: 'test',
    AUTH_JWT_SECRET: TEST_SECRET,
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    MONGO_URL: env.mongoUrl,
    CONTACTS_TOPIC: topic,
    GROUPS_TOPIC: groupsTopic,
    NOTES_TOPIC: notesTopic,
    TASKS_TOPIC: notifierTopics[1]!,
    SMARTLINKS_TOPIC: notifierTopics[0]!,
    PUBLIC_BASE_URL: 'https://links.example.test',
  };
  const apps: RunningApp[] = [];
  try {
    apps.push(
      await spawnApp('contacts-command', {
        ...common,
        MONGO_DB: commandDbName,
        CONTACTS_TOPIC_PARTITIONS: '3',
        OUTBOX_RELAY_INTERVAL_MS: '200',
        SMARTLINK_DEFAULT_ALLOWED_HOSTS: 'shop.example.com',
      }),
    );
    apps.push(
      await spawnApp('contacts-projection', {
        ...common,
        MONGO_DB: readDbName,
        PROJECTION_GROUP_ID: uniqueName('gw-projection'),
      }),
    );
    apps.push(await spawnApp('contacts-query', { ...common, MONGO_DB: readDbName }));
    apps.push(
      await spawnApp('notifier', {
        ...common,
        REDIS_URL: env.redisUrl,
        MONGO_DB: notifierDbName,
        QUEUE_PREFIX: notifierDbName,
        NOTIFIER_GROUP_ID: uniqueName('gw-notifier'),
        SMARTLINKS_TOPIC: notifierTopics[0]!,
        TASKS_TOPIC: notifierTopics[1]!,
        TOPIC_PARTITIONS: '1',
        NOTIFIER_DATA_DIR: join(tmpdir(), notifierDbName),
      }),
    );
  } catch (error) {
    await Promise.all(apps.map(stopApp));
    throw error;
  }
  const commandDb = await connectMongo({ url: env.mongoUrl, dbName: commandDbName, appName: 'gateway-test' });
  return {
    commandUrl: apps[0]!.url,
    queryUrl: apps[2]!.url,
    notifierUrl: apps[3]!.url,
    commandDb,
    groupsTopic,
    notesTopic,
    tasksTopic: notifierTopics[1]!,
    smartlinksTopic: notifierTopics[0]!,
    publicBaseUrl: common.PUBLIC_BASE_URL,
    async close() {
      await Promise.all(apps.map(stopApp));
      await commandDb.db.dropDatabase().catch(() => undefined);
      for (const dbName of [readDbName, notifierDbName]) {
        const db = await connectMongo({ url: env.mongoUrl, dbName, appName: 'gateway-test' });
        await db.db.dropDatabase().catch(() => undefined);
        await db.close();
      }
      await rm(join(tmpdir(), notifierDbName), { recursive: true, force: true });
      const redis = createRedisConnection(env.redisUrl);
      const keys = await redis.keys(`${notifierDbName}:*`).catch(() => [] as string[]);
      if (keys.length > 0) await redis.del(...keys).catch(() => undefined);
      await closeRedis(redis);
      await commandDb.close();
      const bus = createKafkaEventBus({ brokers: env.kafkaBrokers, clientId: uniqueName('gw-test') });
      const admin = await bus.admin();
      await admin
        .deleteTopics([topic, `${topic}.dlq`, groupsTopic, `${groupsTopic}.dlq`, notesTopic, `${notesTopic}.dlq`, ...notifierTopics, `${notifierTopics[0]}.dlq`])
        .catch(() => undefined);
      await admin.close();
      await bus.close();
    },
  };
}
