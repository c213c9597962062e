/**
 * The TaskParams the service hands to `create` and `do`: the raw template and inputs, and their
 * plain forms made only when a connector reads them, so connectors that keep to the raw messages
 * pay nothing and a bad literal fails only the connector that reads it.
 */
import { errorMessage, InvalidArgumentError } from "./errors.js";
import type { TaskParams } from "./connector.js";
import { type JsonObject, literalMapToPlain, type PlainValue, structToJson } from "../literals/index.js";

/** What the caller sent; the service adds the call context's signal and deadline per call. */
export type TaskParamsInit = Omit<TaskParams, "custom" | "inputValues" | "signal" | "deadline">;

/**
 * `init` with `custom` and `inputValues` as getters that convert once. They are enumerable, as
 * the type says they are there: a connector that spreads its params reads them then. Tests that
 * call a connector's create or do directly build their params with it too.
 */
export function taskParams<I extends TaskParamsInit>(init: I): I & Pick<TaskParams, "custom" | "inputValues"> {
  let custom: JsonObject | undefined;
  let inputValues: Readonly<Record<string, PlainValue>> | undefined;
  return Object.defineProperties(
    { ...init },
    {
      custom: {
        get: () => (custom ??= init.taskTemplate.custom ? structToJson(init.taskTemplate.custom) : {}),
        enumerable: true,
      },
      inputValues: { get: () => (inputValues ??= readInputs(init)), enumerable: true },
    },
  ) as I & Pick<TaskParams, "custom" | "inputValues">;
}

function readInputs({ taskTemplate, inputs }: TaskParamsInit): Readonly<Record<string, PlainValue>> {
  if (!inputs) return {};
  try {
    return literalMapToPlain(inputs, taskTemplate.interface?.inputs?.variables, "input");
  } catch (error) {
    throw new InvalidArgumentError(`Cannot read the task's inputs: ${errorMessage(error)}`, { cause: error });
  }
}
