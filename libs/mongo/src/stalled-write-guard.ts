import { createRequire } from 'node:module';
import { MongoNetworkError } from 'mongodb';

/**
 * Works around a driver defect (mongodb 6.22, still in 7.9) that left contacts-command with no
 * connection to the server for good after a FerretDB restart (found by `npm run chaos`).
 *
 * `Connection.writeCommand` writes to the socket and, when `write()` returns false, waits for
 * 'drain' or 'error'. A socket that is already destroyed (the server closed it, but its 'close'
 * event has not been delivered yet, so the connection still looks open) returns false from
 * `write()` and never emits either: the command waits forever, with no socket timeout (the socket
 * is gone). When the server restarts under load, every pooled connection and the monitor's own
 * connection close at once; the first failed operation marks the server unknown, the waiting
 * server selections request an immediate check, and the monitor sends its `hello` on its
 * destroyed-but-not-yet-closed connection. That check never ends, so the monitor never checks
 * again: the server stays "unknown" (its last error, "connection N closed"), every operation
 * fails server selection, and `/readyz` is 503 until the process restarts.
 *
 * The guard makes such a write fail at once with a network error (as a write on a closed
 * connection does), and makes a write waiting for 'drain' fail when the socket closes. The
 * monitor then records a failed check and keeps checking; an operation fails like any other
 * network error and its server is marked unknown and checked again.
 */

interface DriverSocket {
  destroyed: boolean;
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}
interface DriverConnection {
  socket: DriverSocket;
  id: number | string;
  address: string;
  onError(error: Error): void;
}
type WriteCommand = (this: DriverConnection, command: unknown, options: unknown) => Promise<void>;
interface ConnectionPrototype {
  writeCommand?: WriteCommand & { stalledWriteGuard?: WriteCommand };
}

const guardMarker = 'stalledWriteGuard';

function driverConnectionPrototype(): ConnectionPrototype | undefined {
  try {
    // Internal module of the driver (no "exports" map restricts it); the spec pins its shape.
    const require = createRequire(__filename);
    const mod = require('mongodb/lib/cmap/connection') as { Connection?: { prototype: ConnectionPrototype } };
    return mod.Connection?.prototype;
  } catch {
    return undefined;
  }
}

const closedError = (connection: DriverConnection) =>
  new MongoNetworkError(`connection ${connection.id} to ${connection.address} closed`);

/**
 * Installs the guard on the driver's connections (idempotent: once per process). Returns whether
 * it is installed; false means the driver changed shape (the regression spec then fails).
 */
export function installStalledWriteGuard(): boolean {
  const proto = driverConnectionPrototype();
  const original = proto?.writeCommand;
  if (!proto || typeof original !== 'function') return false;
  if (original.stalledWriteGuard) return true;
  const guarded: WriteCommand = async function (this: DriverConnection, command, options) {
    const socket = this.socket;
    if (socket.destroyed) {
      const error = closedError(this);
      this.onError(error);
      throw error;
    }
    let onClose: () => void = () => undefined;
    const closed = new Promise<never>((_, reject) => {
      onClose = () => reject(closedError(this));
      socket.once('close', onClose);
    });
    closed.catch(() => undefined); // only observed through the race below
    try {
      await Promise.race([original.call(this, command, options), closed]);
    } finally {
      socket.off('close', onClose);
    }
  };
  Object.defineProperty(guarded, guardMarker, { value: original });
  proto.writeCommand = guarded as ConnectionPrototype['writeCommand'];
  return true;
}

/** Whether the guard is installed (for the spec and for readiness diagnostics). */
export function stalledWriteGuardInstalled(): boolean {
  return Boolean(driverConnectionPrototype()?.writeCommand?.stalledWriteGuard);
}
