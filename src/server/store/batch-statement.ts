// One SQL statement that carries all of a batch's writes as data-modifying CTEs, so a batch costs
// a fixed handful of round trips however many kinds of rows it touches (each round trip is a
// wake-up of a busy machine: on two loaded cores they, not the SQL, set the pace).

/** Collects `name AS (INSERT …)` parts and their parameters. */
export class BatchStatement {
  private readonly parts: string[] = [];
  readonly params: unknown[] = [];

  /** Binds a value; returns its placeholder ($n). */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** Adds a data-modifying CTE. All parts run against the same snapshot: none sees another's rows. */
  add(name: string, body: string): void {
    this.parts.push(`${name} AS (${body})`);
  }

  /** Whether any part was added. */
  get isEmpty(): boolean {
    return this.parts.length === 0;
  }

  /** The whole statement, ending in `select` (PostgreSQL runs every data-modifying CTE regardless). */
  text(select: string): string {
    return `WITH ${this.parts.join(",\n")}\n${select}`;
  }
}
