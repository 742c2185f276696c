// TypeScript produces, a real Python Celery 5.2 worker executes; then the reverse direction:
// Python produces and TypeScript reads. Run on both brokers with the Redis result backend.

import { afterAll, beforeAll, expect, it } from "vitest";
import { type AsyncResult, Celery, GroupResult, TaskFailedError, chain, chord, createBackend, createBroker, group } from "../../src/celery/index";
import { type PeerConfig, type PythonWorker, runPython, startPythonWorker } from "../support/python-celery";
import { AMQP_URL, REDIS_URL, type Service, describeWith, uniqueName } from "../support/services";

const brokers: [Service, string][] = [
  ["redis", REDIS_URL],
  ["rabbitmq", AMQP_URL],
];

for (const [service, brokerUrl] of brokers) {
  await describeWith([service, "redis", "python-celery"], `interop with a Python Celery worker over ${service}`, () => {
    const queue = uniqueName("interop");
    const peer: PeerConfig = { brokerUrl, backendUrl: REDIS_URL, queue };
    let worker: PythonWorker;
    let app: Celery;

    beforeAll(async () => {
      worker = await startPythonWorker(peer);
      app = new Celery({ broker: createBroker(brokerUrl), backend: createBackend(REDIS_URL), defaultQueue: queue });
      await app.connect();
    });

    afterAll(async () => {
      await app?.close();
      await worker?.stop();
    });

    const add = () => app.task<[number, number], number>("seedflow.add");
    const tsum = () => app.task<[number[]], number>("seedflow.tsum");

    it("runs a single task and returns its value", async () => {
      const result = await add().delay(2, 3);
      expect(await result.get({ timeout: 15_000 })).toBe(5);
      const meta = await result.meta();
      expect(meta).toMatchObject({ status: "SUCCESS", name: "seedflow.add", args: [2, 3], queue });
    });

    it("passes arguments through unchanged, including non-ASCII text and nested values", async () => {
      const echo = app.task<unknown[], { args: unknown[]; kwargs: Record<string, unknown> }>("seedflow.echo");
      const args = ["héllo ☃ \u{1F600}", { nested: [1, 2.5, null, true] }, [], {}];
      const result = await echo.applyAsync(args, { key: "välue" });
      expect(await result.get({ timeout: 15_000 })).toEqual({ args, kwargs: { key: "välue" } });
    });

    it("runs a chain, feeding each result to the next step, and links parents back to the root", async () => {
      const result = (await chain(add().s(2, 2), add().s(4), add().s(8)).applyAsync()) as AsyncResult;
      expect(await result.get({ timeout: 15_000 })).toBe(16);
      const middle = result.parent as AsyncResult;
      const first = middle.parent as AsyncResult;
      // Each step stores its own SUCCESS only after it applied the next one (trace.py): the last
      // result can be ready before the earlier ones, so wait for them rather than read them.
      expect(await middle.get({ timeout: 15_000 })).toBe(8);
      expect(await first.get({ timeout: 15_000 })).toBe(4);
      // The same links as Python stored them.
      expect((await result.fetchParent())?.id).toBe(middle.id);
      expect((await middle.fetchParent())?.id).toBe(first.id);
      expect((await first.meta()).parent_id).toBeUndefined();
    });

    it("runs a group and joins its results in member order", async () => {
      const result = await group(add().s(1, 1), add().s(2, 2), add().s(3, 3)).applyAsync();
      expect(await result.join({ timeout: 15_000 })).toEqual([2, 4, 6]);
      expect(await result.completedCount()).toBe(3);
    });

    it("runs a chord: the body receives the header results in order", async () => {
      const result = await chord([add().s(1, 2), add().s(3, 4), add().s(5, 6)], tsum().s()).applyAsync();
      expect(await result.get({ timeout: 15_000 })).toBe(21);
    });

    it("runs map and starmap as single celery.map / celery.starmap messages", async () => {
      const mapped = await tsum().map([[1, 2], [3, 4]]).applyAsync();
      expect(await mapped.get({ timeout: 15_000 })).toEqual([3, 7]);
      const starred = await add().starmap([[1, 2], [3, 4]]).applyAsync();
      expect(await starred.get({ timeout: 15_000 })).toEqual([3, 7]);
    });

    it("runs chunks as a group of celery.starmap messages", async () => {
      const result = await add().chunks([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]], 2).applyAsync();
      expect(await result.join({ timeout: 15_000 })).toEqual([[2, 4], [6, 8], [10]]);
    });

    it("calls the errback of a failing task and surfaces the remote error with its type", async () => {
      const fail = app.task<[string], never>("seedflow.fail");
      const failing = fail.s("bad input");
      failing.linkError(app.task("seedflow.on_error").s());
      const result = await failing.applyAsync();
      const error = await result.get({ timeout: 15_000 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TaskFailedError);
      expect((error as TaskFailedError).excType).toBe("ValueError");
      expect((error as TaskFailedError).excMessage).toEqual(["bad input"]);
      expect((error as TaskFailedError).traceback).toContain("ValueError: bad input");
      // The worker stores FAILURE first and calls the errback afterwards (backends/base.py
      // mark_as_failure): the task's failure can be read before the errback has run.
      const seen = await runPython<string | null>(
        peer,
        `import time\ndeadline = time.monotonic() + 20\nv = app.backend.get("errback-seen-${result.id}")\nwhile v is None and time.monotonic() < deadline:\n    time.sleep(0.1)\n    v = app.backend.get("errback-seen-${result.id}")\nprint(json.dumps(v.decode() if v else None))`,
      );
      expect(seen).toBe("ValueError('bad input')");
    }, 60_000);

    it("runs the seed login workflow and walks it from the last step back to the root", async () => {
      const workflow = chain(
        app.task("seedflow.check_device").s("u1", "pixel-9"),
        group(app.task("seedflow.notify_user").s(), app.task("seedflow.save_event").s()),
        app.task("seedflow.post_to_api").s(),
        app.task("seedflow.post_process").s(),
      );
      const last = (await workflow.applyAsync()) as AsyncResult;
      expect(await last.get({ timeout: 20_000 })).toEqual({ done: true, score: 2 });

      // Walk parent_id as stored by the Python worker: post_process → post_to_api → a header task → check_device.
      const names: string[] = [];
      let node: AsyncResult | null = last;
      while (node) {
        const meta = await node.meta();
        names.push(String(meta.name));
        node = await node.fetchParent();
      }
      expect(names[0]).toBe("seedflow.post_process");
      expect(names[1]).toBe("seedflow.post_to_api");
      expect(["seedflow.notify_user", "seedflow.save_event"]).toContain(names[2]);
      expect(names[3]).toBe("seedflow.check_device");
      expect(names).toHaveLength(4);

      // The root's children: the chord header group that check_device started.
      const root = app.asyncResult(last.id);
      let rootId = last.id;
      for (let p = await root.fetchParent(); p; p = await p.fetchParent()) rootId = p.id;
      // A Python worker applies the next chain step before it stores its own SUCCESS (trace.py), and the
      // peer tracks STARTED: the root's `children` exist only once its final state is written.
      await app.asyncResult(rootId).get({ timeout: 15_000 });
      const children = (await app.asyncResult(rootId).children()) ?? [];
      expect(children).toHaveLength(1);
      const header = children[0] as GroupResult;
      expect(header).toBeInstanceOf(GroupResult);
      expect(await header.join({ timeout: 15_000 })).toEqual([{ notified: "u1" }, { saved: "pixel-9" }]);
    }, 60_000);

    it("reads results, a saved GroupResult and the workflow graph produced by Python", async () => {
      const sent = await runPython<{ last: string; root: string; group: string; members: string[] }>(
        peer,
        [
          "r = login_workflow().apply_async()",
          "r.get(timeout=20)",
          "g = group(add.s(1, 2), add.s(3, 4)).apply_async()",
          "g.get(timeout=20)",
          "g.save()",
          "root = r",
          "while root.parent is not None: root = root.parent",
          "print(json.dumps({'last': r.id, 'root': root.id, 'group': g.id, 'members': [c.id for c in g.results]}))",
        ].join("\n"),
        60_000,
      );
      expect(await app.asyncResult(sent.last).get({ timeout: 5_000 })).toEqual({ done: true, score: 2 });
      const restored = await GroupResult.restore(sent.group, app.backend);
      expect(restored?.results.map((r) => r.id)).toEqual(sent.members);
      expect(await restored?.join({ timeout: 5_000 })).toEqual([3, 7]);
      await app.asyncResult(sent.root).get({ timeout: 15_000 }); // children are stored with the final state
      const rootChildren = (await app.asyncResult(sent.root).children()) ?? [];
      expect(rootChildren).toHaveLength(1);
      expect(rootChildren[0]).toBeInstanceOf(GroupResult);
    }, 90_000);
  });
}
