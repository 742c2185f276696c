// The time range the dashboard's charts ask about, validated once for every rollup query.

import { z } from "zod";

/** Epoch seconds, from inclusive, to exclusive; optional filters narrow the rollups. */
export const timeRange = z
  .object({
    from: z.number().finite(),
    to: z.number().finite(),
    taskName: z.string().min(1).optional(),
    queue: z.string().min(1).optional(),
  })
  .refine((range) => range.to > range.from, { message: "`to` must be after `from`" });

export type TimeRange = z.input<typeof timeRange>;

/** WHERE clause over task_rollup for the range, with its parameters. */
export function rollupWhere(input: TimeRange): { where: string; params: unknown[] } {
  const range = timeRange.parse(input);
  const params: unknown[] = [range.from, range.to];
  const where = ["minute >= to_timestamp($1::float8)", "minute < to_timestamp($2::float8)"];
  if (range.taskName) where.push(`task_name = $${params.push(range.taskName)}`);
  if (range.queue) where.push(`queue = $${params.push(range.queue)}`);
  return { where: where.join(" AND "), params };
}
