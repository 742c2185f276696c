"use client";
// /demo (only with the embedded demo cluster): the switch that breaks or fixes the third-party API
// the login workflow's post_to_api step calls, so a failure and its recovery can be shown live.

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { ConfirmAction } from "../../components/confirm-action";
import { QueryStatus } from "../../components/query-status";
import { useTRPC } from "../../trpc/react";
import { liveInterval } from "../_lib/live";

export default function DemoPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const state = useQuery({ ...trpc.demo.state.queryOptions(), refetchInterval: liveInterval });
  const setApiFixed = useMutation(trpc.demo.setApiFixed.mutationOptions());
  return (
    <>
      <h1>
        Demo <span className="badge demo">demo cluster</span>
      </h1>
      <QueryStatus query={state} what="the demo">
        {(demo) =>
          !demo.enabled ? (
            <p className="panel muted">This dashboard runs no demo cluster: it starts only on the in-memory broker (CELERY_BROKER_URL=memory://).</p>
          ) : (
            <>
              <section className="panel demo-switch">
                <div className={`api-status ${demo.apiFixed ? "up" : "down"}`}>The third-party API is {demo.apiFixed ? "fixed" : "down"}</div>
                <p>
                  Every few seconds the demo runs the login workflow (check_device → chord of notify_user and save_event → post_to_api → post_process), a chord of additions and a task that
                  succeeds on its third attempt. While the API is down, post_to_api fails with a 503 and the rest of its workflow never runs.
                </p>
                <ConfirmAction
                  label={demo.apiFixed ? "Break the API again" : "Fix the API"}
                  title="Switch the demo's third-party API"
                  danger={demo.apiFixed}
                  preview={trpc.demo.state.queryOptions()}
                  renderPreview={(current) => (
                    <p>
                      The API is {current.apiFixed ? "fixed" : "down"} now.{" "}
                      {current.apiFixed
                        ? "From now on post_to_api fails again with 503 Service Unavailable."
                        : "From now on post_to_api succeeds; workflows that failed there stay failed until you retry that step (Retry on its task or workflow page) or relaunch them."}
                    </p>
                  )}
                  submit={(current, idempotencyKey, reason) => setApiFixed.mutateAsync({ fixed: !current.apiFixed, idempotencyKey, reason })}
                  renderResult={(result) => <p>The API is {result.apiFixed ? "fixed" : "down"}.</p>}
                  onDone={() => void queryClient.invalidateQueries({ queryKey: trpc.demo.pathKey() })}
                />
              </section>
              <section className="panel">
                <h2>Where to look</h2>
                <ul>
                  <li>
                    <Link href="/tasks?name=seedflow.post_to_api&state=FAILURE">Failed post_to_api steps</Link> — open one, then its workflow, and Retry the failed step once the API is fixed.
                  </li>
                  <li>
                    <Link href="/tasks?name=seedflow.check_device">Login workflows</Link> (each check_device starts one).
                  </li>
                  <li>
                    <Link href="/tasks?name=seedflow.flaky">Retries</Link> — seedflow.flaky fails twice, then succeeds.
                  </li>
                  <li>
                    <Link href="/">The overview</Link> — throughput and the failure rate falling once the API is fixed.
                  </li>
                </ul>
              </section>
            </>
          )
        }
      </QueryStatus>
    </>
  );
}
