// The workflow plan inside one published task message, as store observations (pure): the task
// itself, every step its embed (chain remainder, chord body, callbacks, errbacks) will start, the
// groups those steps form and the edges between them. Celery events carry only root_id/parent_id;
// the message is the only place a chain's, group's or chord's full shape lives.

import { Chain, Chord, decodeBody, Group, type Message, parseTaskMessage, pyJsonStringify, type Signature, type SignatureDict, signatureFromDict, type TaskRequest } from "../../celery/index";
import type { GroupObservation, IngestBatch, TaskObservation, WorkflowEdge } from "./observation";
import { plannedChordHeaderId, plannedStepId } from "./planned-id";

/** One task message as its producer published it. */
export interface PublishedMessage {
  /** The message with its body encoded, as handed to the transport. */
  message: Message;
  exchange: string;
  routingKey: string;
  /** The queue it was routed to, when the producer says (Python: the queue it declared). */
  queue?: string;
  /** Epoch seconds of the publish. */
  sentAt: number;
}

/** Where a planned step sits: the task whose result it receives, the group it is a member of. */
interface Placement {
  parentId?: string;
  groupId?: string;
  groupIndex?: number;
}

/** The node a step is entered through (chain edges point at it) and the one its result leaves. */
interface Span {
  entry: string;
  exit: string;
}

// Options come off the wire: a key may be present with null (or, from a foreign producer, junk).
const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const integer = (value: unknown): number | undefined => (Number.isInteger(value) ? (value as number) : undefined);

const asList = (value: SignatureDict | SignatureDict[] | undefined): SignatureDict[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Accumulates the observations of one message's plan, merging repeats of the same id. */
class PlanBuilder {
  readonly #tasks = new Map<string, TaskObservation>();
  readonly #groups = new Map<string, GroupObservation>();
  readonly #edges = new Map<string, WorkflowEdge>();

  constructor(
    private readonly rootId: string,
    private readonly sentAt: number,
  ) {}

  addTask(task: TaskObservation): void {
    this.#tasks.set(task.id, { ...this.#tasks.get(task.id), ...task });
  }

  addGroup(group: GroupObservation): void {
    this.#groups.set(group.id, { ...this.#groups.get(group.id), ...group });
  }

  addEdge(kind: WorkflowEdge["kind"], fromId: string, toId: string): void {
    this.#edges.set(`${kind} ${fromId} ${toId}`, { rootId: this.rootId, fromId, toId, kind });
  }

  batch(): IngestBatch {
    return { tasks: [...this.#tasks.values()], workers: [], groups: [...this.#groups.values()], edges: [...this.#edges.values()] };
  }

  /** Plans one canvas element placed at `at`; returns its entry and exit nodes. */
  plan(sig: Signature, at: Placement): Span {
    if (sig instanceof Chord) return this.planChord(sig, at);
    if (sig instanceof Chain) return this.planChain(sig.tasks, at);
    if (sig instanceof Group) return this.planGroup(sig, at);
    return this.planTask(sig, at);
  }

  /** The steps of a chain in run order; Celery puts a chain's group placement on its last step. */
  planChain(steps: Signature[], at: Placement): Span {
    let span: Span | undefined;
    steps.forEach((step, index) => {
      const last = index === steps.length - 1;
      const placement: Placement = { parentId: span ? span.exit : at.parentId, ...(last ? { groupId: at.groupId, groupIndex: at.groupIndex } : {}) };
      const next = this.plan(step, placement);
      if (span) this.addEdge("chain", span.exit, next.entry);
      span = { entry: span?.entry ?? next.entry, exit: next.exit };
    });
    // An empty chain passes its input through: it is entered and left where it was placed.
    return span ?? { entry: at.parentId ?? this.rootId, exit: at.parentId ?? this.rootId };
  }

  planGroup(sig: Group, at: Placement): Span {
    const id = text(sig.options.task_id) ?? plannedStepId(at.parentId ?? this.rootId, sig.task);
    this.addGroup({ id, rootId: this.rootId, parentId: at.parentId, size: sig.tasks.length });
    sig.tasks.forEach((member, index) => this.plan(member, { parentId: at.parentId, groupId: id, groupIndex: index }));
    return { entry: id, exit: id };
  }

  /**
   * A chord not applied yet: its header group gets the placeholder named by the body's entry
   * task (see plannedChordHeaderId), which each header member's real message folds into the
   * group id the worker really uses.
   */
  planChord(sig: Chord, at: Placement): Span {
    const body = sig.body ? this.plan(sig.body, { groupId: at.groupId, groupIndex: at.groupIndex }) : undefined;
    const id = body ? plannedChordHeaderId(body.entry) : plannedStepId(at.parentId ?? this.rootId, sig.task);
    this.addGroup({ id, rootId: this.rootId, parentId: at.parentId, size: sig.tasks.length, chordBodyId: body?.entry });
    sig.tasks.forEach((member, index) => this.plan(member, { parentId: at.parentId, groupId: id, groupIndex: index }));
    if (body) this.addEdge("chord", id, body.entry);
    return { entry: id, exit: body?.exit ?? id };
  }

  planTask(sig: Signature, at: Placement): Span {
    const options = sig.options;
    const id = text(options.task_id) ?? plannedStepId(at.parentId ?? this.rootId, sig.task);
    this.addTask({
      id,
      source: "capture",
      state: "PLANNED",
      stateAt: this.sentAt,
      name: sig.task,
      rootId: this.rootId,
      parentId: at.parentId,
      // Celery's freeze stamps a header member's place into its options.
      groupId: at.groupId ?? text(options.group_id),
      groupIndex: at.groupIndex ?? integer(options.group_index),
      argsJson: pyJsonStringify(sig.args),
      kwargsJson: pyJsonStringify(sig.kwargs),
      queue: text(options.queue),
      exchange: text(options.exchange),
      routingKey: text(options.routing_key),
      // What a relaunch sends: signatureFromDict(signature).applyAsync().
      messageJson: pyJsonStringify({ signature: sig.toDict() }),
    });
    this.planCallbacks(id, options.link, options.link_error);
    return { entry: id, exit: id };
  }

  planCallbacks(ownerId: string, links: SignatureDict | SignatureDict[] | undefined | null, errbacks: SignatureDict | SignatureDict[] | undefined | null): void {
    for (const [kind, dicts] of [["link", links], ["link_error", errbacks]] as const) {
      for (const dict of asList(dicts ?? undefined)) this.addEdge(kind, ownerId, this.plan(signatureFromDict(dict), { parentId: ownerId }).entry);
    }
  }
}

function sentTask(request: TaskRequest, published: PublishedMessage, rootId: string, parentId: string | undefined): TaskObservation {
  const { message, exchange, routingKey, sentAt } = published;
  const body = decodeBody(message);
  return {
    id: request.id,
    source: "capture",
    state: "PENDING",
    stateAt: sentAt,
    sentAt,
    name: request.task,
    rootId,
    parentId,
    groupId: request.group ?? undefined,
    groupIndex: request.group_index ?? undefined,
    argsJson: pyJsonStringify(request.args),
    kwargsJson: pyJsonStringify(request.kwargs),
    argsRepr: request.argsrepr ?? undefined,
    kwargsRepr: request.kwargsrepr ?? undefined,
    retries: request.retries,
    // A message sent through the default exchange is routed by queue name.
    queue: published.queue ?? (exchange === "" ? routingKey : undefined),
    exchange,
    routingKey,
    eta: request.eta ?? undefined,
    expires: request.expires ?? undefined,
    messageJson: pyJsonStringify({ headers: message.headers, properties: message.properties, body }),
    // A first attempt sent after another task may be the unfrozen callback that task planned.
    plannedId: parentId && request.retries === 0 ? plannedStepId(parentId, request.task) : undefined,
  };
}

/**
 * The observations one published task message gives: the task itself (PENDING at `sentAt`, real
 * JSON args, the whole message for a faithful re-send) and its plan. Planned steps are PLANNED
 * nodes under their frozen ids (Celery freezes chain steps, chord bodies and header members before
 * sending), carrying `{"signature": dict}` as messageJson so they can be relaunched; a step whose
 * id is not knowable yet gets a placeholder (planned-id.ts) that its own message later names in
 * `plannedId`. `embed.chain` is stored next-step-last and is read in reverse. Edges: chain order,
 * chord header group → body entry, link and link_error. Throws MalformedMessage / DecodeError for a
 * message that is not a valid task message.
 */
export function workflowGraph(published: PublishedMessage): IngestBatch {
  const request = parseTaskMessage(published.message);
  const rootId = request.root_id ?? request.id;
  // A retry is re-sent with parent_id = its own id: not an edge.
  const parentId = request.parent_id && request.parent_id !== request.id ? request.parent_id : undefined;
  const plan = new PlanBuilder(rootId, published.sentAt);
  plan.addTask(sentTask(request, published, rootId, parentId));
  const { chain, chord, callbacks, errbacks } = request.embed;

  if (chain && chain.length > 0) {
    const remainder = [...chain].reverse().map((dict) => signatureFromDict(dict));
    const span = plan.planChain(remainder, { parentId: request.id });
    plan.addEdge("chain", request.id, span.entry);
  }
  plan.planCallbacks(request.id, callbacks, errbacks);

  if (request.group) {
    // Members of a top-level group are each their own root: the group belongs to no one workflow.
    const groupRoot = rootId !== request.id ? rootId : undefined;
    if (chord) {
      const body = plan.plan(signatureFromDict(chord), {});
      plan.addGroup({ id: request.group, rootId: groupRoot, parentId, chordBodyId: body.entry, plannedId: plannedChordHeaderId(body.entry) });
      plan.addEdge("chord", request.group, body.entry);
    } else {
      plan.addGroup({ id: request.group, rootId: groupRoot, parentId });
    }
  }
  return plan.batch();
}
