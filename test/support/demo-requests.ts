/**
 * Requests for the demo connectors (docs/CONTRACT.md §6), written once in the proto3 JSON mapping
 * (what an HTTP caller sends as JSON) and turned into flyteidl messages for the binary paths.
 * Only messages without well-known types are used here, so protobufjs's fromObject/toObject
 * agree with the proto3 JSON mapping on them.
 */
import type { MessageType } from "../../lib/service/operations.js";

export type Json = { [key: string]: unknown };

/** Fields whose proto3 JSON differs from protobufjs's defaults: 64-bit integers, bytes, enums. */
const JSON_CONVERSION = { longs: String, bytes: String, enums: String } as const;

/** The proto3 JSON form of a message (for the messages of this module). */
export function asJson<T extends object>(type: MessageType<T>, message: T): Json {
  return type.toObject(message, JSON_CONVERSION);
}

/** The message of a proto3 JSON object (for the messages of this module). */
export function fromJson<T extends object>(type: MessageType<T>, json: Json): T {
  return type.fromObject(json);
}

export const OUTPUT_PREFIX = "s3://flyte-e2e/outputs/run-1";

const floatType = { simple: "FLOAT" };

export const floatLiteral = (value: number) => ({ scalar: { primitive: { floatValue: value } } });

function template(type: string, variables: Record<string, Json>): Json {
  const variableMap = { variables: Object.fromEntries(Object.entries(variables).map(([name, t]) => [name, { type: t }])) };
  return {
    id: { resourceType: "TASK", project: "flytesnacks", domain: "development", name: `demo.${type}`, version: "v1" },
    type,
    interface: { inputs: variableMap, outputs: variableMap },
  };
}

/** `CreateTaskRequest` of a `sleep` task (or of `type`, to ask for a connector that is not there). */
export function sleepCreateRequest(seconds: number, type = "sleep"): Json {
  return {
    inputs: { literals: { seconds: floatLiteral(seconds) } },
    template: template(type, { seconds: floatType }),
    outputPrefix: OUTPUT_PREFIX,
  };
}

/** Inputs of the `echo` task: one of each kind the JSON mapping spells differently. */
export const ECHO_INPUTS: Json = {
  literals: {
    count: { scalar: { primitive: { integer: "9007199254740993" } } },
    greeting: { scalar: { primitive: { stringValue: "héllo" } } },
    ratio: floatLiteral(0.25),
  },
};

/** The `ExecuteTaskSyncRequest` stream of an `echo` task: header, then inputs. */
export function echoSyncRequests(inputs: Json = ECHO_INPUTS): Json[] {
  const types = { count: { simple: "INTEGER" }, greeting: { simple: "STRING" }, ratio: floatType };
  return [{ header: { template: template("echo", types), outputPrefix: OUTPUT_PREFIX } }, { inputs }];
}

/** The task category a `sleep` meta is looked up by in getTask/deleteTask/metrics/logs. */
export const SLEEP_CATEGORY = { name: "sleep", version: 0 };
