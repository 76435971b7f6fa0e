import { MongoClient, type CommandStartedEvent, type Db } from 'mongodb';
import { resolveTestEnv, uniqueName, type TestEnv } from '@reps/testing';

/**
 * A database of the spec's own on the real server, through a client that records every command
 * it sends (to count commands and check their size). Registers its own beforeAll/afterAll.
 */
export function useRecordingDb(name: string): { db: () => Db; client: () => MongoClient; commands: CommandStartedEvent[] } {
  let env: TestEnv;
  let client: MongoClient;
  let db: Db;
  const commands: CommandStartedEvent[] = [];

  beforeAll(async () => {
    env = await resolveTestEnv();
    client = new MongoClient(env.mongoUrl, { retryWrites: false, monitorCommands: true, serverSelectionTimeoutMS: 5000 });
    client.on('commandStarted', (event) => commands.push(event));
    await client.connect();
    db = client.db(uniqueName(name).replace(/-/g, '_'));
  });

  afterAll(async () => {
    await db?.dropDatabase().catch(() => undefined);
    await client?.close();
    await env?.close();
  });

  return { db: () => db, client: () => client, commands };
}
