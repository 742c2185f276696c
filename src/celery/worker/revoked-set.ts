// The worker's bounded set of revoked task ids; mirrors celery.utils.collections.LimitedSet as celery/worker/state.py uses it.

/** Celery's defaults: 50 000 ids (CELERY_WORKER_REVOKES_MAX), kept 3 hours (CELERY_WORKER_REVOKE_EXPIRES). */
export const REVOKES_MAX = 50_000;
export const REVOKE_EXPIRES_SECONDS = 10_800;

/**
 * Revoked ids with the time they were revoked. When full, the oldest entries go first, and only
 * entries older than `expiresSeconds` are purged on insert, as LimitedSet does.
 */
export class RevokedSet {
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly maxLength = REVOKES_MAX,
    private readonly expiresSeconds = REVOKE_EXPIRES_SECONDS,
  ) {}

  add(taskId: string, now = Date.now()): void {
    this.entries.delete(taskId);
    this.entries.set(taskId, now);
    this.purge(now);
  }

  has(taskId: string): boolean {
    return this.entries.has(taskId);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Ids in insertion order (what `inspect revoked` lists). */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  private purge(now: number): void {
    const oldest = now - this.expiresSeconds * 1000;
    for (const [id, at] of this.entries) {
      if (this.entries.size <= this.maxLength && at >= oldest) break;
      this.entries.delete(id);
    }
  }
}
