/**
 * The task's `custom` as the AWS plugins wrote it (flytekit's BotoTask.get_custom and
 * SageMakerEndpointTask.get_custom): read as JSON, each field checked for the kind the plugin
 * needs. Numbers arrive as a Struct's doubles.
 */
import { InvalidArgumentError } from "../../connector/errors.js";
import { type JsonValue, PythonFloat } from "../../connector/python-json.js";
import type { flyteidl } from "../../idl/index.js";
import { structToJson } from "../../literals/index.js";
import { floatValue } from "../../literals/values.js";
import type { PyValue } from "./input-strings.js";

export type Custom = Readonly<Record<string, JsonValue>>;

export function readCustom(template: flyteidl.core.ITaskTemplate): Custom {
  return template.custom ? (structToJson(template.custom) as Custom) : {};
}

export function requiredString(custom: Custom, key: string, task: string): string {
  const value = custom[key];
  if (typeof value === "string" && value !== "") return value;
  throw new InvalidArgumentError(`${task} task: custom.${key} must be a non-empty string, got ${value === undefined ? "nothing" : JSON.stringify(value)}.`);
}

export function requiredObject(custom: Custom, key: string, task: string): Record<string, JsonValue> {
  const value = custom[key];
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, JsonValue>;
  throw new InvalidArgumentError(`${task} task: custom.${key} must be a dict of the API call's parameters.`);
}

/**
 * `value` as Python sees a Struct's numbers when nothing converts them: floats, `4.0` for 4
 * (the boto connector turns integral ones into ints first; the SageMaker endpoint connector does not).
 */
export function numbersAsFloats(value: JsonValue): JsonValue {
  if (typeof value === "number") return floatValue(value);
  if (Array.isArray(value)) return value.map(numbersAsFloats);
  if (typeof value === "object" && value !== null && !(value instanceof PythonFloat)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, numbersAsFloats(item)]));
  }
  return value;
}

/** Parameters for the SDK: Python floats and ints as plain numbers, bytes as they are. */
export function sdkInput(value: PyValue): unknown {
  if (value instanceof PythonFloat) return value.value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((item: PyValue) => sdkInput(item));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, sdkInput(item)]));
  }
  return value;
}
