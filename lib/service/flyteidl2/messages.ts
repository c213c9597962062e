/**
 * Flyte 2's messages to Flyte 1's and back, for the server (Flyte 2 requests in, Flyte 1
 * operations run) and for the client (Flyte 1 calls sent as Flyte 2 requests).
 *
 * The `flyteidl2.connector` messages keep the field numbers and types of their `flyteidl.admin`
 * counterparts (test/idl/flyteidl2.test.ts checks it), and `task.Inputs`/`Outputs` (repeated
 * NamedLiteral{name = 1, value = 2}) are a LiteralMap on the wire (a map entry is key = 1,
 * value = 2). So a message is mapped by encoding it as one type and decoding it as the other:
 * exact for every field both know, whatever its depth, while each side's own fields are dropped
 * (Flyte 1's deprecated task_type, state and agent_error). What Flyte 2 alone carries — the
 * connection, Inputs.context, a log link's readiness — and the logs' two forms of a line are mapped
 * here by hand.
 */
import type { Connection } from "../../connector/connector.js";
import type { LinkType, LogLink } from "../../connector/resource.js";
import { requestCategory } from "../../connector/task-category.js";
import { flyteidl } from "../../idl/index.js";
import { flyteidl2 } from "../../idl/flyteidl2.js";
import { operations, type DispatchOptions, type MessageType } from "../operations.js";
import { flyteidl2Operations, type Flyteidl2OperationName } from "./operations.js";

/** A Flyte 2 request as its Flyte 1 operation takes it, and what Flyte 2 alone sent with it. */
export interface FlyteidlRequest {
  readonly request: object;
  readonly connection?: Connection;
  readonly actionContext?: Readonly<Record<string, string>>;
}

/** Server side: a decoded Flyte 2 request. */
export function toFlyteidlRequest(name: Flyteidl2OperationName, request: object): FlyteidlRequest {
  const mapped = transcode(flyteidl2Operations[name].requestType, operations[name].requestType, request);
  const { connection, inputs } = request as { connection?: flyteidl2.core.IConnection | null; inputs?: flyteidl2.task.IInputs | null };
  return {
    request: mapped,
    ...(connection ? { connection: { secrets: { ...connection.secrets }, configs: { ...connection.configs } } } : {}),
    ...(name === "createTask" ? { actionContext: Object.fromEntries((inputs?.context ?? []).map(({ key, value }) => [key ?? "", value ?? ""])) } : {}),
  };
}

/** Server side: the Flyte 1 operation's answers as Flyte 2's. */
export function toFlyteidl2Responses(name: Flyteidl2OperationName, responses: readonly object[]): object[] {
  return responses.map((response) => {
    const mapped = transcode(operations[name].responseType, flyteidl2Operations[name].responseType, response);
    if (name === "getTaskLogs") withBothLineForms((mapped as flyteidl2.connector.GetTaskLogsResponse).body as LogsBody, flyteidl2.logs.dataplane.LogLine);
    if (name === "getTask") withFlyte2LogLinks((mapped as flyteidl2.connector.GetTaskResponse).resource, (response as flyteidl.admin.IGetTaskResponse).resource);
    return mapped;
  });
}

/** Client side: a Flyte 1 request as Flyte 2's, with the connection and context the options carry. */
export function toFlyteidl2Request(name: Flyteidl2OperationName, request: object, options: DispatchOptions = {}): object {
  const mapped = transcode(operations[name].requestType, flyteidl2Operations[name].requestType, withCategory(request)) as {
    connection?: flyteidl2.core.IConnection | null;
    inputs?: flyteidl2.task.IInputs | null;
  };
  if (options.connection && (name === "createTask" || name === "getTask" || name === "deleteTask")) {
    mapped.connection = new flyteidl2.core.Connection({ secrets: { ...options.connection.secrets }, configs: { ...options.connection.configs } });
  }
  if (name === "createTask" && options.actionContext && Object.keys(options.actionContext).length > 0) {
    mapped.inputs ??= new flyteidl2.task.Inputs();
    mapped.inputs.context = Object.entries(options.actionContext).map(([key, value]) => new flyteidl2.core.KeyValuePair({ key, value }));
  }
  return mapped;
}

/**
 * A Flyte 1 request that names its connector only by the deprecated `task_type` (docs/CONTRACT.md §5:
 * at version 0) with the category Flyte 2 names it by, which has no task_type to carry it.
 */
function withCategory(request: object): object {
  const { name, version } = requestCategory(request);
  return name ? { ...request, taskCategory: { name, version } } : request;
}

/** Client side: Flyte 2's answers as the Flyte 1 operation's. */
export function toFlyteidlResponses(name: Flyteidl2OperationName, responses: readonly object[]): object[] {
  return responses.map((response) => {
    const mapped = transcode(flyteidl2Operations[name].responseType, operations[name].responseType, response);
    if (name === "getTaskLogs") withBothLineForms((mapped as flyteidl.admin.GetTaskLogsResponse).body as LogsBody, flyteidl.admin.LogLine, "structuredLines");
    return mapped;
  });
}

/** A message of one protocol as the other's counterpart type. */
export function transcode<T extends object>(from: MessageType<any>, to: MessageType<T>, message: object): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  return to.decode(from.encode(message).finish());
}

/**
 * What Flyte 2's TaskLog has and Flyte 1's has not. `ready`: every link a connector gives is one to
 * follow (Flyte 2's UI shows a link that is not ready greyed out, unclickable; Flyte's own log
 * plugins mark each link they make ready). `link_type`: the LogLink's, which the Flyte 1 message
 * `from` still holds in memory (its encoding, which `resource` was made from, has no field for it).
 */
export function withFlyte2LogLinks(resource: flyteidl2.connector.IResource | null | undefined, from: flyteidl.admin.IResource | null | undefined): void {
  const given = (from?.logLinks ?? []) as readonly LogLink[];
  (resource?.logLinks ?? []).forEach((link, index) => {
    link.ready = true;
    const linkType = given[index]?.linkType;
    if (linkType !== undefined && Object.hasOwn(LINK_TYPES, linkType)) link.linkType = LINK_TYPES[linkType];
  });
}

const LINK_TYPES: Readonly<Record<LinkType, flyteidl2.core.TaskLog.LinkType>> = {
  external: flyteidl2.core.TaskLog.LinkType.EXTERNAL,
  dashboard: flyteidl2.core.TaskLog.LinkType.DASHBOARD,
  ide: flyteidl2.core.TaskLog.LinkType.IDE,
};

/** A logs body of either protocol, as the generated classes make them (every repeated field set). */
interface LogsBody {
  results: string[];
  lines?: { message: string }[];
  structuredLines?: { message: string }[];
}

/**
 * docs/CONTRACT.md §7: a logs body carries each line as `lines` (LogLine, with its timestamp when the
 * connector gave one) and as the deprecated `results` (its text); whichever the other side wrote
 * fills the other.
 */
function withBothLineForms(
  body: LogsBody | null | undefined,
  LogLine: new (properties: { message: string }) => { message: string },
  linesField: "lines" | "structuredLines" = "lines",
): void {
  if (!body) return;
  const lines = body[linesField] ?? [];
  if (lines.length === 0) body[linesField] = body.results.map((message) => new LogLine({ message }));
  else if (body.results.length === 0) body.results = lines.map((line) => line.message);
}
