// Read-only views of the history: the overview's charts, tasks, workflows, workers and queues.

import { z } from "zod";
import { AppError } from "../../app-error";
import { listTasksQuery, timeRange } from "../../store/index";
import { redactTaskDetail, redactTaskSummary } from "../../services/redact-task";
import { router, viewerProcedure } from "../trpc";

const id = z.string().trim().min(1).max(255);

export const historyRouter = router({
  overview: viewerProcedure.input(timeRange).query(({ ctx, input }) =>
    ctx.runtime.sharedReads.read(`history.overview ${JSON.stringify(input)}`, async () => {
      const { store, ingestion } = ctx.runtime;
      const [throughput, taskStats, queues, workers, counters] = await Promise.all([
        store.getThroughput(input),
        store.getTaskStats(input),
        store.getQueueStats(),
        store.listWorkers(),
        store.getCounters(),
      ]);
      return { throughput, taskStats, queues, workers, counters, ingestion: ingestion?.stats() ?? null };
    }),
  ),

  tasks: viewerProcedure.input(listTasksQuery).query(({ ctx, input }) =>
    ctx.runtime.sharedReads.read(`history.tasks ${JSON.stringify(input)}`, async () => {
      const page = await ctx.runtime.store.listTasks(input);
      return { ...page, tasks: page.tasks.map((task) => redactTaskSummary(task, ctx.runtime.redactKeys)) };
    }),
  ),

  task: viewerProcedure.input(z.object({ id })).query(async ({ ctx, input }) => {
    const task = await ctx.runtime.store.getTask(input.id);
    if (!task) throw new AppError("NOT_FOUND", `No task ${input.id} in the history: it may be older than the retention period, or was never seen.`);
    const children = await ctx.runtime.store.listTasks({ rootId: task.rootId ?? task.id, limit: 500, order: "oldest" });
    return {
      task: redactTaskDetail(task, ctx.runtime.redactKeys),
      children: children.tasks.filter((child) => child.parentId === task.id).map((child) => redactTaskSummary(child, ctx.runtime.redactKeys)),
    };
  }),

  workflow: viewerProcedure.input(z.object({ rootId: id })).query(async ({ ctx, input }) => {
    const workflow = await ctx.runtime.store.getWorkflow(input.rootId);
    if (workflow.nodes.length === 0) throw new AppError("NOT_FOUND", `No workflow with root ${input.rootId} in the history.`);
    return workflow;
  }),

  workers: viewerProcedure.query(({ ctx }) => ctx.runtime.sharedReads.read("history.workers", () => ctx.runtime.store.listWorkers())),

  queues: viewerProcedure.query(({ ctx }) => ctx.runtime.sharedReads.read("history.queues", () => ctx.runtime.store.getQueueStats())),
});
