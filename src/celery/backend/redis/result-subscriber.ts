// One pub/sub connection shared by every waiter, SUBSCRIBE per result key; mirrors celery.backends.redis.ResultConsumer.

import type { Redis } from "ioredis";

/** Receives the raw published value of a subscribed channel. */
export type ChannelListener = (value: string) => void;

/**
 * Multiplexes many listeners over one subscriber connection: a channel is SUBSCRIBEd when its
 * first listener arrives and UNSUBSCRIBEd when its last one leaves, as Celery's consumer does.
 */
export class ResultSubscriber {
  private readonly channels = new Map<string, { listeners: Set<ChannelListener>; subscribed: Promise<void> }>();
  private connection: Redis | null = null;
  private readied = false;

  /**
   * @param open creates the dedicated subscriber connection (called on first use).
   * @param reread after a reconnect, fetches the current value of a channel's key: documents
   *   published while the connection was down are otherwise lost (Celery MGETs them the same way).
   */
  constructor(
    private readonly open: () => Redis,
    private readonly reread: (channel: string) => Promise<string | null>,
  ) {}

  /** Adds a listener; resolves once the SUBSCRIBE is acknowledged, so no later publish is missed. */
  async listen(channel: string, listener: ChannelListener): Promise<() => Promise<void>> {
    const connection = this.connect();
    let entry = this.channels.get(channel);
    if (!entry) {
      const subscribed = connection.subscribe(channel).then(
        () => undefined,
        (error: unknown) => {
          this.channels.delete(channel);
          throw error;
        },
      );
      entry = { listeners: new Set(), subscribed };
      this.channels.set(channel, entry);
    }
    entry.listeners.add(listener);
    await entry.subscribed;
    return async () => {
      const current = this.channels.get(channel);
      if (!current?.listeners.delete(listener) || current.listeners.size > 0) return;
      this.channels.delete(channel);
      if (connection.status === "ready") await connection.unsubscribe(channel);
    };
  }

  async close(): Promise<void> {
    this.channels.clear();
    const connection = this.connection;
    this.connection = null;
    if (connection) await connection.quit().catch(() => connection.disconnect());
  }

  private connect(): Redis {
    if (this.connection) return this.connection;
    const connection = this.open();
    connection.on("message", (channel: string, value: string) => this.deliver(channel, value));
    connection.on("ready", () => {
      if (this.readied) void this.catchUp();
      this.readied = true;
    });
    // Errors surface on the commands that fail; an unhandled 'error' event would crash the process.
    connection.on("error", () => undefined);
    this.connection = connection;
    return connection;
  }

  private deliver(channel: string, value: string): void {
    for (const listener of [...(this.channels.get(channel)?.listeners ?? [])]) listener(value);
  }

  private async catchUp(): Promise<void> {
    for (const channel of [...this.channels.keys()]) {
      const value = await this.reread(channel).catch(() => null);
      if (value !== null) this.deliver(channel, value);
    }
  }
}
