/**
 * Runs one task to the end through a ConnectorClient, as flytekit's local
 * SyncConnectorExecutorMixin / AsyncConnectorExecutorMixin do: executeTaskSync for a sync
 * connector; createTask then getTask until a terminal phase for an async one, with deleteTask
 * when the run is aborted.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Connection } from "../connector/connector.js";
import { errorMessage, InternalError } from "../connector/errors.js";
import { endsAttempt, Phase } from "../connector/phase.js";
import { connectorNotFound } from "../connector/registry.js";
import { TaskCategory } from "../connector/task-category.js";
import { flyteidl } from "../idl/index.js";
import { literalMapToPlain, toLiteralMap, type PlainValue } from "../literals/index.js";
import type { DispatchOptions } from "../service/operations.js";
import type { ConnectorClient } from "./client.js";

/** What a run reports as it goes: after every answer that carries a resource. */
export interface TaskStatus {
  readonly phase: Phase;
  readonly message: string;
  readonly logLinks: readonly flyteidl.core.ITaskLog[];
}

export interface RunTaskOptions {
  readonly client: ConnectorClient;
  readonly template: flyteidl.core.ITaskTemplate;
  /**
   * A `flyteidl.core.LiteralMap` instance is sent as is; any other object is plain values,
   * converted with the template's declared input types (inferred when it declares none).
   */
  readonly inputs?: flyteidl.core.LiteralMap | Readonly<Record<string, unknown>> | null;
  readonly outputPrefix?: string;
  readonly taskExecutionMetadata?: flyteidl.admin.ITaskExecutionMetadata | null;
  /** Between two getTask calls (default 1000 ms, as flytekit). */
  readonly pollIntervalMs?: number;
  /** Deadline of each call to the service (default 60 s). */
  readonly callTimeoutMs?: number;
  /** Aborting deletes the remote task (async connectors), then rejects with TaskCancelledError. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (status: TaskStatus) => void;
  /** Whether the connector is sync; asked of the service's metadata (listAgents) when not given. */
  readonly isSync?: boolean;
  /** Flyte 2's connection (resolved secrets and configs), sent with create, get and delete. */
  readonly connection?: Connection;
}

export interface TaskResult extends TaskStatus {
  /** The outputs as plain values (lib/literals), or undefined when the task returned none. */
  readonly outputs: Record<string, PlainValue> | undefined;
  /** The same outputs as the service sent them. */
  readonly outputLiterals: flyteidl.core.ILiteralMap | null;
}

/**
 * The run's task ended in a phase other than SUCCEEDED; the message is the task's own. (Not the
 * SDK's TaskFailedError, which a connector throws to report the failure.)
 */
export class TaskRunFailedError extends Error {
  constructor(
    readonly phase: Phase,
    readonly taskMessage: string,
    readonly logLinks: readonly flyteidl.core.ITaskLog[],
  ) {
    super(taskMessage || `Task ended in phase ${Phase[phase] ?? phase}.`);
    this.name = "TaskRunFailedError";
  }
}

/**
 * The task succeeded with outputs that lack some its template declares. Flyte fails the nodes that
 * read them, and flytekit's local run fails at once; so does the run. (A task that returns no
 * outputs at all has written them to the output prefix itself: nothing to check.)
 */
export class MissingOutputsError extends Error {
  constructor(
    readonly missing: readonly string[],
    readonly result: TaskResult,
  ) {
    const returned = Object.keys(result.outputs ?? {});
    super(
      `The task succeeded without the output${missing.length > 1 ? "s" : ""} ${missing.map((name) => `"${name}"`).join(", ")} its interface declares ` +
        `(returned: ${returned.length > 0 ? returned.map((name) => `"${name}"`).join(", ") : "none"}).`,
    );
    this.name = "MissingOutputsError";
  }
}

/** The run was aborted. `cause` holds the deleteTask failure when the remote task could not be deleted. */
export class TaskCancelledError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TaskCancelledError";
  }
}

export async function runTask(options: RunTaskOptions): Promise<TaskResult> {
  const { client, template, signal } = options;
  throwIfCancelled(signal);
  const category = new TaskCategory(template.type ?? "", template.taskTypeVersion ?? 0);
  const inputs = inputLiterals(options.inputs, template);
  const isSync = options.isSync ?? (await untilCancelled(connectorIsSync(client, category, callOptions(options, signal)), signal));
  const resource = isSync ? await runSync(options, inputs) : await runAsync(options, category, inputs);
  return outcome(resource, template);
}

async function runSync(options: RunTaskOptions, inputs: flyteidl.core.LiteralMap | null): Promise<flyteidl.admin.IResource> {
  const header = {
    template: options.template,
    outputPrefix: options.outputPrefix ?? "",
    taskExecutionMetadata: options.taskExecutionMetadata ?? null,
  };
  // Nothing remote to delete: an abort cancels the call, and stops waiting for its answer.
  const resource = await untilCancelled(options.client.executeTaskSync(header, inputs, callOptions(options, options.signal)), options.signal);
  options.onProgress?.(status(resource));
  return resource;
}

async function runAsync(
  options: RunTaskOptions,
  category: TaskCategory,
  inputs: flyteidl.core.LiteralMap | null,
): Promise<flyteidl.admin.IResource> {
  const { client, signal, onProgress } = options;
  const outputPrefix = options.outputPrefix ?? "";
  // Not raced with the signal: once asked for, the task may exist, and only its meta lets us delete it.
  const { resourceMeta } = await client.createTask(
    { template: options.template, inputs, outputPrefix, taskExecutionMetadata: options.taskExecutionMetadata ?? null },
    callOptions(options),
  );
  const target = { taskCategory: { name: category.name, version: category.version }, taskType: category.name, resourceMeta };
  try {
    for (;;) {
      throwIfCancelled(signal);
      // Raced with the signal: Ctrl-C must not wait for a slow poll (up to its deadline) before deleting.
      const { resource } = await untilCancelled(client.getTask({ ...target, outputPrefix }, callOptions(options, signal)), signal);
      if (!resource) throw new InternalError("GetTask answered without a resource.");
      const current = status(resource);
      onProgress?.(current);
      if (endsAttempt(current.phase)) return resource;
      await sleep(options.pollIntervalMs ?? 1000, undefined, { signal });
    }
  } catch (error) {
    // The run is over for the caller, so the remote task must not go on alone.
    const deleted = client.deleteTask(target, callOptions(options));
    if (!signal?.aborted) {
      await deleted.catch(() => undefined); // best effort: the first failure is the one to report
      throw error;
    }
    try {
      await deleted;
    } catch (deleteError) {
      throw new TaskCancelledError(`Task cancelled, but deleting it failed: ${errorMessage(deleteError)}`, {
        cause: deleteError,
      });
    }
    throw new TaskCancelledError("Task cancelled and deleted.");
  }
}

/** Finds the connector serving the category in the service's metadata. */
async function connectorIsSync(client: ConnectorClient, category: TaskCategory, options: DispatchOptions): Promise<boolean> {
  const agents = await client.listAgents(options);
  const agent = agents.find(
    (candidate) =>
      candidate.supportedTaskCategories.some(
        (supported) => supported.name === category.name && (supported.version ?? 0) === category.version,
      ) ||
      // Services older than task categories list task types only, all at version 0.
      (category.version === 0 && candidate.supportedTaskCategories.length === 0 && candidate.supportedTaskTypes.includes(category.name)),
  );
  if (!agent) throw connectorNotFound(category, agents.flatMap(servedCategories));
  return agent.isSync;
}

function servedCategories(agent: flyteidl.admin.IAgent): TaskCategory[] {
  const categories = agent.supportedTaskCategories ?? [];
  return categories.length > 0
    ? categories.map(({ name, version }) => new TaskCategory(name ?? "", version ?? 0))
    : (agent.supportedTaskTypes ?? []).map((name) => new TaskCategory(name));
}

function inputLiterals(
  inputs: RunTaskOptions["inputs"],
  template: flyteidl.core.ITaskTemplate,
): flyteidl.core.LiteralMap | null {
  if (inputs == null) return null;
  if (inputs instanceof flyteidl.core.LiteralMap) return inputs;
  return toLiteralMap(inputs, template.interface?.inputs?.variables ?? null, "input");
}

function outcome(resource: flyteidl.admin.IResource, template: flyteidl.core.ITaskTemplate): TaskResult {
  const final = status(resource);
  if (final.phase !== Phase.SUCCEEDED) throw new TaskRunFailedError(final.phase, final.message, final.logLinks);
  const outputLiterals = resource.outputs ?? null;
  const variables = template.interface?.outputs?.variables ?? null;
  const outputs = outputLiterals ? literalMapToPlain(outputLiterals, variables, "output") : undefined;
  const result = { ...final, outputLiterals, outputs };
  const missing = outputs ? Object.keys(variables ?? {}).filter((name) => !Object.hasOwn(outputs, name)) : [];
  if (missing.length > 0) throw new MissingOutputsError(missing, result);
  return result;
}

function status(resource: flyteidl.admin.IResource): TaskStatus {
  return { phase: phaseOf(resource), message: resource.message ?? "", logLinks: resource.logLinks ?? [] };
}

/** Services that predate `phase` leave it UNDEFINED and set the deprecated `state`, as FlytePropeller reads it. */
function phaseOf(resource: flyteidl.admin.IResource): Phase {
  if (resource.phase) return resource.phase;
  const State = flyteidl.admin.State;
  switch (resource.state ?? State.RETRYABLE_FAILURE) {
    case State.PENDING:
      return Phase.QUEUED;
    case State.RUNNING:
      return Phase.RUNNING;
    case State.SUCCEEDED:
      return Phase.SUCCEEDED;
    case State.PERMANENT_FAILURE:
      return Phase.FAILED;
    case State.RETRYABLE_FAILURE:
      return Phase.RETRYABLE_FAILED;
  }
}


/**
 * A call's options; `signal` for the calls raced with it, so that an abort also cancels the call
 * (a gRPC RST_STREAM: the server stops the work), never for create and delete, which must finish.
 */
function callOptions(options: Pick<RunTaskOptions, "callTimeoutMs" | "connection">, signal?: AbortSignal): DispatchOptions {
  const deadline = Date.now() + (options.callTimeoutMs ?? 60_000);
  return { deadline, ...(options.connection && { connection: options.connection }), ...(signal && { signal }) };
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TaskCancelledError("Task cancelled.");
}

/**
 * Settles with `work`, or rejects with TaskCancelledError as soon as the signal aborts (at once when
 * it already has). `work` is awaited either way: the signal it carries makes it reject too.
 */
function untilCancelled<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new TaskCancelledError("Task cancelled."));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
