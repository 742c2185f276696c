"use client";
// Finished tasks per minute over the selected range as stacked bars by outcome (succeeded,
// failed, retried, revoked), from the overview's rollups.

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatClock } from "../app/_lib/format";
import { type ThroughputMinuteInput, throughputBuckets } from "../app/_lib/throughput-buckets";

// Outcome order and colours (the same variables as the state badges).
const SERIES = [
  { state: "SUCCESS", label: "succeeded", color: "var(--success)" },
  { state: "FAILURE", label: "failed", color: "var(--failure)" },
  { state: "RETRY", label: "retried", color: "var(--retry)" },
  { state: "REVOKED", label: "revoked", color: "var(--revoked)" },
] as const;

export function ThroughputChart({ minutes, from, to }: { minutes: readonly ThroughputMinuteInput[]; from: number; to: number }) {
  const { width, buckets, states } = throughputBuckets(minutes, from, to);
  const data = buckets.map((bucket) => ({ at: bucket.at, ...bucket.counts }));
  const series = SERIES.filter((entry) => entry.state !== "REVOKED" || states.includes("REVOKED"));
  const showDay = to - from > 24 * 3600;
  return (
    <div>
      <div className="muted small">tasks per minute{width > 1 ? ` (average over ${width}-minute buckets)` : ""}</div>
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={data} margin={{ top: 8, right: 8, left: -16, bottom: 0 }} barCategoryGap={1}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="at" tickFormatter={(at: number) => (showDay ? `${new Date(at * 1000).toLocaleDateString(undefined, { weekday: "short" })} ${formatClock(at)}` : formatClock(at))} minTickGap={40} fontSize={11} />
          <YAxis allowDecimals={false} fontSize={11} />
          <Tooltip labelFormatter={(at) => formatClock(Number(at))} formatter={(value) => Number(value).toFixed(width > 1 ? 2 : 0)} />
          <Legend iconSize={10} wrapperStyle={{ fontSize: 12 }} />
          {series.map((entry) => (
            <Bar key={entry.state} dataKey={entry.state} name={entry.label} stackId="outcome" fill={entry.color} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
