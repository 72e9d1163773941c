import type { Pool, PoolClient } from 'pg';

/** What `withClient` tells its callback about the connection it holds. */
export interface ClientLease {
  /** The error (or end) the connection died with, once it has. */
  readonly lost: Error | undefined;
  /** Resolves when the connection dies while checked out; never rejects. */
  readonly whenLost: Promise<Error>;
  /**
   * Hand the connection back destroyed instead of to the pool: its state is unknown (a rollback that
   * failed, a half-sent batch, session state such as LISTEN or an advisory lock that must not leak).
   */
  discard(reason?: Error): void;
}

/**
 * Checks a client out of `pool` for the length of `fn`. While it is out, the client's `error` is heard
 * (a checked-out client whose server dies emits it; unheard, that is an uncaught exception for the
 * process) and, like its `end`, marks it lost; a lost or discarded client is destroyed on release, never
 * handed to the next caller. Everything that checks a client out goes through here.
 */
export async function withClient<T>(pool: Pool, fn: (client: PoolClient, lease: ClientLease) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  let discarded: Error | true | undefined;
  let onLost!: (e: Error) => void;
  const whenLost = new Promise<Error>((resolve) => (onLost = resolve));
  const onError = (e: Error) => {
    lost ??= e;
    onLost(lost);
  };
  const onEnd = () => onError(new Error('connection ended'));
  client.on('error', onError);
  client.on('end', onEnd);
  const lease: ClientLease = {
    get lost() {
      return lost;
    },
    whenLost,
    discard: (reason) => void (discarded ??= reason ?? true),
  };
  try {
    return await fn(client, lease);
  } finally {
    client.off('error', onError);
    client.off('end', onEnd);
    client.release(lost ?? discarded);
  }
}
