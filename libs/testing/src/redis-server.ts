import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { waitFor } from './isolation';

export interface PrivateRedisServer {
  url: string;
  port: number;
  /** (Re)starts the server on the same port. */
  start(): Promise<void>;
  /** Stops it, as an outage would. */
  stop(): Promise<void>;
  /** Stops it for good and removes its data dir. */
  dispose(): Promise<void>;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A real `redis-server` of the test's own (on a free port, data in a temp dir) for tests that
 * take Redis down and bring it back — the shared server must stay up for the other tests.
 */
export async function startPrivateRedisServer(
  binary = process.env['REDIS_SERVER_BIN'] ?? 'redis-server',
  { appendOnly = false }: { appendOnly?: boolean } = {},
): Promise<PrivateRedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'reps-redis-'));
  let child: ChildProcess | undefined;

  const server: PrivateRedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      // With appendOnly, every write is fsynced before Redis answers, so a SIGKILL loses nothing
      // acknowledged and a restart reloads it all from the AOF in `dir`.
      const persistence = appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
      child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence], {
        stdio: 'ignore',
      });
      const exited = new Promise<never>((_, reject) =>
        child?.once('error', (error) => reject(new Error(`cannot start ${binary}: ${error.message}`))),
      );
      await Promise.race([waitFor(() => portAnswers(port), { what: `redis-server on ${port}` }), exited]);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const done = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await done;
      await waitFor(async () => !(await portAnswers(port)), { what: `redis-server on ${port} to stop` });
    },
    async dispose() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
