import pg from 'pg';

export interface ListenerEvents {
  /** A NOTIFY on the channel (another node's or this node's commit). */
  change(): void;
  /** The connection is listening again after a loss: whatever was sent meanwhile was missed. */
  up(): void;
  /** The connection was lost; a reconnect is scheduled. */
  down(err: Error): void;
}

const FIRST_RETRY_MS = 250;

/**
 * One dedicated connection that LISTENs on the store's channel, and reconnects (backing off up
 * to `maxRetryMs`) when the connection drops: a server restart, pg_terminate_backend, a network cut.
 * A pooled connection cannot listen: LISTEN belongs to the session.
 */
export class ChangeListener {
  private client: pg.Client | undefined;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private connected = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    private readonly on: ListenerEvents,
    private readonly maxRetryMs = 5000,
  ) {}

  /** Whether the connection is up and listening now. */
  get listening(): boolean {
    return this.connected;
  }

  /** The first connection: its failure is the caller's (a node that cannot listen does not start). */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    // Errors of a live connection arrive as events; without a handler they would crash the process.
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('the connection ended')));
    client.on('notification', (n) => {
      if (n.channel === this.channel) this.on.change();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.connected = true;
    this.retryMs = FIRST_RETRY_MS;
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.closed || client !== this.client) return;
    this.client = undefined;
    this.connected = false;
    client.removeAllListeners('end');
    client.end().catch(() => {});
    this.on.down(err);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.connect().then(
        () => {
          if (!this.closed) this.on.up();
        },
        () => {
          this.retryMs = Math.min(this.retryMs * 2, this.maxRetryMs);
          this.scheduleRetry();
        },
      );
    }, this.retryMs);
    // A listener never keeps a process alive by itself: the store's owner decides when it ends.
    this.retryTimer.unref();
  }
}
