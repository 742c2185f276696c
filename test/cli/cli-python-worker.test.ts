// The CLI against a real Python Celery 5.2.6 worker on Redis: call/result through the result
// backend, the login workflow's tree, inspect and control replies, revoke --terminate of a
// running sleeper, and the live event tail.

import { afterAll, beforeAll, expect, it } from "vitest";
import { type PythonWorker, runPython, startPythonWorker } from "../support/python-celery";
import { REDIS_URL, describeWith, uniqueName } from "../support/services";
import { runCli, startCli } from "./run-cli";

// A Redis database of its own: kombu prefixes event channels with the database number, so other
// suites' (and benchmarks') event traffic stays out of the tails below.
const URL = REDIS_URL.replace(/\/\d*$/, "/13");
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

await describeWith(["redis", "python-celery"], "celeriac against a Python Celery 5.2.6 worker on Redis", () => {
  const queue = uniqueName("cli-py");
  const env = { CELERY_BROKER_URL: URL, CELERY_RESULT_BACKEND: URL };
  const peerConfig = { brokerUrl: URL, backendUrl: URL, queue };
  let peer: PythonWorker;
  let node: string;
  const cli = (...args: string[]) => runCli(args, { env });

  beforeAll(async () => {
    peer = await startPythonWorker(peerConfig);
    node = peer.hostname;
  }, 120_000);

  afterAll(async () => {
    await peer?.stop();
  });

  it("call prints the id of the task it sent, and result --wait reads what the Python worker stored", async () => {
    const sent = await cli("call", "seedflow.add", "--args", "[2, 3]", "--queue", queue);
    expect(sent.code, sent.stderr).toBe(0);
    const id = sent.stdout.trim();
    expect(id).toMatch(UUID);
    const read = await cli("result", id, "--wait", "20", "--json");
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ id, state: "SUCCESS", result: 5, name: "seedflow.add", worker: node, traceback: null });
    const human = await cli("result", id);
    expect(human.stdout).toMatch(new RegExp(`^id: +${id}\nstate: +SUCCESS\ntask: +seedflow\\.add\nworker: +${node.replace(/[.]/g, "\\.")}\n`));
    expect(human.stdout).toMatch(/\nresult: +5\n$/);
  }, 120_000);

  it("call --wait prints the result; a failing task exits 1 with its exception and traceback", async () => {
    const [echo, failed, failedJson] = await Promise.all([
      cli("call", "seedflow.echo", "-a", '[1, "two"]', "-k", '{"x": null}', "-Q", queue, "--wait", "20"),
      cli("call", "seedflow.fail", "-k", '{"msg": "kaput"}', "-Q", queue, "--wait", "20"),
      cli("call", "seedflow.fail", "-Q", queue, "--wait", "20", "--json"),
    ]);
    expect(echo.code, echo.stderr).toBe(0);
    expect(JSON.parse(echo.stdout)).toEqual({ args: [1, "two"], kwargs: { x: null } });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toContain("ValueError: kaput");
    expect(failed.stderr).toMatch(/\nError: Task \S+ raised ValueError\(kaput\) \(state FAILURE\)\.\n$/);
    expect(failedJson.code).toBe(1);
    expect(JSON.parse(failedJson.stdout)).toMatchObject({ state: "FAILURE", result: { exc_type: "ValueError", exc_message: ["boom"] } });
  }, 120_000);

  it("result --tree shows the login workflow run by Python: check_device → group → post_to_api → post_process, all SUCCESS", async () => {
    // r.get() waits for post_process only; a Python worker stores each earlier step's SUCCESS (the
    // root's children included) after applying the next step, so wait for every step of the tree.
    const lastId = await runPython<string>(
      peerConfig,
      "r = login_workflow().apply_async()\nr.get(timeout=30)\nn = r.parent\nwhile n is not None:\n    n.get(timeout=30)\n    n = n.parent\nprint(json.dumps(r.id))",
      60_000,
    );
    const [plain, json, colour] = await Promise.all([
      cli("result", lastId, "--tree"),
      cli("result", lastId, "--tree", "--json"),
      runCli(["result", lastId, "--tree"], { env: { ...env, FORCE_COLOR: "1" } }),
    ]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).not.toContain("\x1b[");
    const lines = plain.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^seedflow\.check_device {2}\S+ {2}SUCCESS$/);
    expect(lines[1]).toMatch(/^└── group \S+ {2}2 members: 2 SUCCESS$/);
    expect(lines[2]).toMatch(/^ {4}├── seedflow\.notify_user {2}\S+ {2}SUCCESS$/);
    expect(lines[3]).toMatch(/^ {4}├── seedflow\.save_event {2}\S+ {2}SUCCESS$/);
    expect(lines[4]).toMatch(/^ {4}└── chord body → seedflow\.post_to_api {2}\S+ {2}SUCCESS$/);
    expect(lines[5]).toBe(`        └── seedflow.post_process  ${lastId}  SUCCESS  ◀ asked`);

    const tree = JSON.parse(json.stdout);
    expect(tree).toMatchObject({ truncated: false, nodes: 6, root: { kind: "task", name: "seedflow.check_device", state: "SUCCESS" } });
    const group = tree.root.children[0];
    expect(group.kind).toBe("group");
    expect(group.children.map((child: { name: string; chordBody: boolean }) => [child.name, child.chordBody])).toEqual([
      ["seedflow.notify_user", false],
      ["seedflow.save_event", false],
      ["seedflow.post_to_api", true],
    ]);
    expect(group.children[2].children).toEqual([expect.objectContaining({ id: lastId, name: "seedflow.post_process", state: "SUCCESS", requested: true })]);

    expect(colour.stdout).toContain("\x1b[32;1mSUCCESS\x1b[0m");
  }, 120_000);

  it("inspect ping/registered/stats answer per node, as text and --json; nobody replying exits 69", async () => {
    const [ping, pingJson, registered, stats, nobody] = await Promise.all([
      cli("inspect", "ping", "-d", node, "-t", "5"),
      cli("inspect", "ping", "-d", node, "-t", "5", "--json"),
      cli("inspect", "registered", "-d", node, "-t", "5", "--json"),
      cli("inspect", "stats", "-d", node, "-t", "5", "--json"),
      cli("inspect", "ping", "-d", `nobody-${queue}@nowhere`, "-t", "0.5"),
    ]);
    expect(ping.code, ping.stderr).toBe(0);
    expect(ping.stdout).toBe(`->  ${node}: OK\n        pong\n\n1 node online.\n`);
    expect(JSON.parse(pingJson.stdout)).toEqual({ [node]: { ok: "pong" } });
    expect(JSON.parse(registered.stdout)[node]).toEqual(expect.arrayContaining(["seedflow.add", "seedflow.sleeper", "seedflow.check_device"]));
    expect(JSON.parse(stats.stdout)[node]).toMatchObject({ pool: expect.objectContaining({ "max-concurrency": 2 }) });
    expect(nobody.code).toBe(69);
    expect(nobody.stdout).toBe("");
    expect(nobody.stderr).toMatch(/^Error: No nodes replied within time constraint \(0\.5 s on redis:\/\/127\.0\.0\.1:6379\/13\)/);
  }, 120_000);

  it("inspect active shows a running seedflow.sleeper and control revoke --terminate ends it REVOKED", async () => {
    const sent = await cli("call", "seedflow.sleeper", "--args", "[60]", "-Q", queue);
    const id = sent.stdout.trim();
    let active: Record<string, { id: string; name: string }[]> = {};
    for (let attempt = 0; attempt < 10 && !active[node]?.some((task) => task.id === id); attempt++) {
      active = JSON.parse((await cli("inspect", "active", "-d", node, "-t", "5", "--json")).stdout);
    }
    expect(active[node]).toContainEqual(expect.objectContaining({ id, name: "seedflow.sleeper", args: [60] }));

    const revoked = await cli("control", "revoke", id, "--terminate", "-d", node, "-t", "5");
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toBe(`->  ${node}: OK\n        terminate: ${id}\n\n1 node online.\n`);
    const after = await cli("result", id, "--wait", "10", "--json");
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout)).toMatchObject({ state: "REVOKED", result: { exc_type: "TaskRevokedError", exc_message: ["terminated"] } });
    expect(after.stderr).toContain("raised TaskRevokedError(terminated) (state REVOKED)");
  }, 120_000);

  it("control rate_limit answers ok, and exits 1 when the worker refuses (unknown task)", async () => {
    const [ok, refused] = await Promise.all([
      cli("control", "rate_limit", "seedflow.add", "10/m", "-d", node, "-t", "5", "--json"),
      cli("control", "rate_limit", "seedflow.missing", "1/s", "-d", node, "-t", "5"),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ [node]: { ok: "new rate limit set successfully" } });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`->  ${node}: ERROR\n        unknown task`);
    expect(refused.stderr.trim()).toBe("Error: at least one worker refused the command (see its reply above).");
  }, 120_000);

  it("events prints a task-succeeded line (and with --json the event, name filled in) for a task the worker ran, and stops on Ctrl-C", async () => {
    const events = startCli(["events", "--no-heartbeats"], { env });
    const json = startCli(["events", "--json"], { env });
    try {
      await Promise.all([events, json].map((tail) => tail.waitFor(/Listening for events on redis:\/\/127\.0\.0\.1:6379\/13/)));
      const id = (await cli("call", "seedflow.add", "-a", "[20, 22]", "-Q", queue)).stdout.trim();
      await events.waitFor(new RegExp(`task-succeeded +${node}  ${id}  seedflow\\.add  runtime=[0-9.e-]+  result=42\n`));
      expect(events.stdout()).toMatch(new RegExp(`task-received +${node}  ${id}  seedflow\\.add  args=\\(20, 22\\)  kwargs=\\{\\}`));
      expect(events.stdout()).not.toContain("worker-heartbeat");
      await json.waitFor(new RegExp(`"uuid":"${id}"[^\n]*"type":"task-succeeded"`));
      const lines = json.stdout().trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
      // Task-succeeded carries no name on the wire: the tail fills it in from task-received.
      expect(lines.find((event) => event.type === "task-succeeded" && event.uuid === id)).toMatchObject({ hostname: node, result: "42", name: "seedflow.add" });
    } finally {
      const runs = await Promise.all([events.stop("SIGINT"), json.stop("SIGINT")]);
      expect(runs.map((run) => run.code)).toEqual([0, 0]);
    }
  }, 120_000);
});
