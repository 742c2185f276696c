"use client";
// The task list: filters in the URL query string (a filtered list is a link to paste), searched,
// sorted and paged on the server with keyset cursors, the first page refreshed live.

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import { BulkTaskActions } from "../../components/bulk-task-actions";
import { QueryStatus } from "../../components/query-status";
import { TaskFilterBar } from "../../components/task-filter-bar";
import { TaskTable } from "../../components/task-table";
import { useTRPC } from "../../trpc/react";
import { liveInterval } from "../_lib/live";
import { type TaskFilters, filtersFromSearch, filtersToQuery, filtersToSearch } from "../_lib/task-filters";

const PAGE_SIZE = 50;

export function TasksView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchString = useSearchParams().toString();
  const filters = useMemo(() => filtersFromSearch(new URLSearchParams(searchString)), [searchString]);
  // Cursors of the pages before the current one (keyset pagination only goes forward).
  const [pages, setPages] = useState<{ search: string; cursors: (string | undefined)[] }>({ search: searchString, cursors: [undefined] });
  const cursors = pages.search === searchString ? pages.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  // Fixed while the filters stay the same, so a bulk action's preview does not move under it.
  const filterQuery = useMemo(() => filtersToQuery(filters, Date.now()), [filters]);
  const query = { ...filterQuery, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) };
  const tasks = useQuery({ ...trpc.history.tasks.queryOptions(query), refetchInterval: liveInterval, placeholderData: keepPreviousData });
  const apply = (next: TaskFilters) => {
    const search = filtersToSearch(next);
    router.replace(search ? `${pathname}?${search}` : pathname);
  };
  return (
    <>
      <div className="toolbar">
        <h1>Tasks</h1>
        <span className="spacer" />
        <BulkTaskActions query={filterQuery} />
      </div>
      <TaskFilterBar filters={filters} onChange={apply} />
      <QueryStatus query={tasks} what="tasks">
        {(data) => (
          <section className="panel">
            <div className="toolbar">
              <span className="muted">
                page {cursors.length} · {data.tasks.length} task{data.tasks.length === 1 ? "" : "s"}
                {cursors.length === 1 ? " · live" : ""}
              </span>
              <span className="spacer" />
              <button type="button" disabled={cursors.length === 1} onClick={() => setPages({ search: searchString, cursors: [undefined] })}>
                ⇤ first
              </button>
              <button type="button" disabled={cursors.length === 1} onClick={() => setPages({ search: searchString, cursors: cursors.slice(0, -1) })}>
                ← previous
              </button>
              <button type="button" disabled={!data.nextCursor} onClick={() => data.nextCursor && setPages({ search: searchString, cursors: [...cursors, data.nextCursor] })}>
                next →
              </button>
            </div>
            <TaskTable tasks={data.tasks} />
          </section>
        )}
      </QueryStatus>
    </>
  );
}
