import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@reps/testing';
import { MongoClient } from 'mongodb';
import { connectMongo, stalledWriteGuardInstalled, type MongoHandle } from './index';

const ROOT = join(__dirname, '../../..');
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The driver's internals the defect lives in (not part of its typed API).
interface MonitorInternals {
  s: { state: string };
  connection: { closed: boolean; socket: { destroy(): void } } | null;
}
interface ServerInternals {
  monitor: MonitorInternals;
  requestCheck(): void;
}
const serverOf = (client: MongoClient): ServerInternals => {
  const topology = (client as unknown as { topology: { s: { servers: Map<string, ServerInternals> } } })
    .topology;
  const [server] = topology.s.servers.values();
  if (!server) throw new Error('the client has no server');
  return server;
};

/** Counts the monitor's finished checks (succeeded or failed). */
function heartbeats(client: MongoClient) {
  const seen = { succeeded: 0, failed: 0 };
  client.on('serverHeartbeatSucceeded', () => seen.succeeded++);
  client.on('serverHeartbeatFailed', () => seen.failed++);
  return seen;
}

/**
 * What the server does when it goes away under load: the monitor's connection is destroyed and,
 * before its 'close' event is delivered, a check is requested (waiting server selections do this
 * on every failed operation). The monitor sends its `hello` on the destroyed socket.
 */
async function destroyMonitorSocketAndRequestCheck(client: MongoClient) {
  // Past minHeartbeatFrequencyMS (500 ms) since the last check and before the next one is due,
  // so the requested check runs at once, on this very socket.
  await sleep(700);
  const server = serverOf(client);
  expect(server.monitor.connection?.closed).toBe(false);
  server.monitor.connection?.socket.destroy();
  server.requestCheck();
}

async function pingWithin(client: MongoClient, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      await client.db('admin').command({ ping: 1 });
      return true;
    } catch {
      await sleep(200);
    }
  }
  return false;
}

/**
 * Regression for the chaos suite's "contacts-command never reconnects after a FerretDB restart"
 * (docs/reliability.md): the driver's monitor hung on a write to a destroyed socket. Against a
 * FerretDB of the test's own (tools/infra.sh with a private INFRA_DIR and port), restarted.
 */
describe('stalled write guard: the driver keeps monitoring after a connection dies under it', () => {
  let dir: string;
  let url: string;
  let infra: (...args: string[]) => Promise<unknown>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reps-mongo-guard-'));
    const port = await freePort();
    const env = {
      ...process.env,
      INFRA_DIR: dir,
      INFRA_CACHE_DIR: process.env['INFRA_CACHE_DIR'] || join(ROOT, '.infra'),
      MONGO_PORT: String(port),
      STOP_TIMEOUT: '20',
    };
    infra = (...args: string[]) =>
      run('bash', [join(ROOT, 'tools/infra.sh'), ...args], { env, timeout: 120_000 });
    await infra('start', 'mongo');
    url = `mongodb://127.0.0.1:${port}`;
  }, 150_000);

  /**
   * Stops and starts the server while writes keep arriving (as in the service: failed writes mark
   * the server unknown and waiting ones request the immediate checks). The load ends after 3 s.
   */
  async function restartUnderLoad(client: MongoClient) {
    const things = client.db('guard').collection<{ _id: string }>('things');
    let stop = false;
    const load = (async () => {
      for (let i = 0; !stop; i++)
        await things.insertOne({ _id: `t${Date.now()}-${i}` }, { timeoutMS: 2000 }).catch(() => sleep(50));
    })();
    try {
      await sleep(200);
      await infra('stop', 'mongo');
      await infra('start', 'mongo');
      await sleep(3000);
    } finally {
      stop = true;
      await load;
    }
  }

  afterAll(async () => {
    await infra?.('stop', 'mongo').catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('without the guard, the driver alone: the monitor never finishes that check, never checks again, and a restart is never noticed', async () => {
    expect(stalledWriteGuardInstalled()).toBe(false);
    const client = new MongoClient(url, {
      heartbeatFrequencyMS: 2000,
      serverSelectionTimeoutMS: 2000,
      retryWrites: false,
    });
    try {
      await client.connect();
      const seen = heartbeats(client);
      await destroyMonitorSocketAndRequestCheck(client);
      await sleep(5000); // two and a half heartbeat periods
      expect({ ...seen, state: serverOf(client).monitor.s.state }).toEqual({
        succeeded: 0,
        failed: 0,
        state: 'monitoring',
      });
      // The symptom the chaos suite saw: after a restart under load the client never serves again.
      await restartUnderLoad(client);
      expect(await pingWithin(client, 8000)).toBe(false);
    } finally {
      await client.close(true);
    }
  }, 60_000);

  describe('with the guard (connectMongo installs it)', () => {
    let mongo: MongoHandle;

    beforeAll(async () => {
      mongo = await connectMongo({ url, dbName: 'guard', appName: 'guard-spec' });
    });

    afterAll(async () => {
      await mongo?.close();
    });

    it('is installed', () => {
      expect(stalledWriteGuardInstalled()).toBe(true);
    });

    it('the check on the destroyed socket fails at once and the next one succeeds', async () => {
      const seen = heartbeats(mongo.client);
      await destroyMonitorSocketAndRequestCheck(mongo.client);
      await sleep(100);
      expect(seen.failed).toBe(1);
      await expect(mongo.ping()).resolves.toBeUndefined();
    }, 30_000);

    it('a server restart right after: the client reconnects and serves again', async () => {
      await destroyMonitorSocketAndRequestCheck(mongo.client);
      await restartUnderLoad(mongo.client);
      expect(await pingWithin(mongo.client, 30_000)).toBe(true);
    }, 120_000);
  });
});
