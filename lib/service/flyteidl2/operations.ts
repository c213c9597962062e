/**
 * Flyte 2's operations (docs/CONTRACT.md §7): the same function keys as Flyte 1's, served by
 * `flyteidl2.connector.AsyncConnectorService` and `ConnectorMetadataService`. Flyte 2 has no
 * sync service, so there is no executeTaskSync. The message classes are looked up on first use,
 * which is when the Flyte 2 codec builds its reflection.
 */
import { UnimplementedError } from "../../connector/errors.js";
import { descriptor2, flyteidl2 } from "../../idl/flyteidl2.js";
import { operations, type MessageType, type Operation, type OperationName, type Protocol } from "../operations.js";

export type Flyteidl2OperationName = Exclude<OperationName, "executeTaskSync">;

function define(name: Flyteidl2OperationName, service: string, method: string): Operation {
  const fullService = `flyteidl2.connector.${service}`;
  const described = descriptor2.services[fullService]?.[method];
  if (!described?.http) throw new Error(`flyteidl2 has no annotated method ${fullService}/${method}`);
  let requestType: MessageType | undefined;
  let responseType: MessageType | undefined;
  return {
    name,
    protocol: "flyteidl2",
    service: fullService,
    method,
    path: `/${fullService}/${method}`,
    get requestType() {
      return (requestType ??= messageClass(described.requestType));
    },
    get responseType() {
      return (responseType ??= messageClass(described.responseType));
    },
    requestTypeName: described.requestType,
    responseTypeName: described.responseType,
    requestStream: described.requestStream,
    responseStream: described.responseStream,
    http: described.http,
  };
}

/** The generated class of a `flyteidl2.*` message type. */
export function messageClass(typeName: string): MessageType {
  let node: unknown = { flyteidl2 };
  for (const part of typeName.split(".")) node = (node as Record<string, unknown>)[part];
  if (typeof node !== "function") throw new Error(`Unknown flyteidl2 message type ${typeName}`);
  return node as MessageType;
}

export const flyteidl2Operations: Readonly<Record<Flyteidl2OperationName, Operation>> = {
  createTask: define("createTask", "AsyncConnectorService", "CreateTask"),
  getTask: define("getTask", "AsyncConnectorService", "GetTask"),
  deleteTask: define("deleteTask", "AsyncConnectorService", "DeleteTask"),
  getTaskMetrics: define("getTaskMetrics", "AsyncConnectorService", "GetTaskMetrics"),
  getTaskLogs: define("getTaskLogs", "AsyncConnectorService", "GetTaskLogs"),
  getAgent: define("getAgent", "ConnectorMetadataService", "GetConnector"),
  listAgents: define("listAgents", "ConnectorMetadataService", "ListConnectors"),
};

export const PROTOCOLS: readonly Protocol[] = ["flyteidl", "flyteidl2"];

export function isProtocol(value: unknown): value is Protocol {
  return (PROTOCOLS as readonly unknown[]).includes(value);
}

/** An operation as a protocol serves it; executeTaskSync over Flyte 2 is UNIMPLEMENTED. */
export function operationFor(name: OperationName, protocol: Protocol = "flyteidl"): Operation {
  if (protocol === "flyteidl") return operations[name];
  if (name === "executeTaskSync") {
    throw new UnimplementedError("Flyte 2 (flyteidl2) has no ExecuteTaskSync: its CreateTask runs a sync connector.");
  }
  return flyteidl2Operations[name];
}
