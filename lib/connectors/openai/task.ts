/**
 * What flytekit's OpenAI plugins write into a task, read for both connectors: `custom` is
 * `{"openai_organization": <str or None>, <config key>: {...}}` (ChatGPTTask.get_custom,
 * BatchEndpointTask.get_custom) and the one input is a string. A template that is not so is the
 * caller's mistake: INVALID_ARGUMENT naming what is wrong.
 */
import type { TaskParams } from "../../connector/connector.js";
import { errorMessage, InvalidArgumentError } from "../../connector/errors.js";
import { fromLiteral, type JsonObject, structToJson } from "../../literals/index.js";

export interface OpenAITask {
  /** custom.openai_organization; null when the task names none (no OpenAI-Organization header). */
  readonly organization: string | null;
  /** A copy of custom[configKey], the API request's own fields. */
  readonly config: JsonObject;
}

/** `custom` of a `taskType` task whose request fields are under `configKey`. */
export function readOpenAITask(params: TaskParams, taskType: string, configKey: string): OpenAITask {
  const custom = params.taskTemplate.custom ? structToJson(params.taskTemplate.custom) : {};
  const organization = custom["openai_organization"] ?? null;
  if (organization !== null && typeof organization !== "string") {
    throw new InvalidArgumentError(`${taskType} task's custom.openai_organization must be a string or null.`);
  }
  const config = custom[configKey];
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new InvalidArgumentError(`${taskType} task needs custom.${configKey}, an object of the API request's fields.`);
  }
  return { organization, config: { ...config } };
}

/** The string input `name` (flytekit reads it with TypeEngine.literal_map_to_kwargs as `str`). */
export function stringInput(params: TaskParams, taskType: string, name: string): string {
  const literal = params.inputs?.literals?.[name];
  if (!literal) throw new InvalidArgumentError(`${taskType} task needs the input ${JSON.stringify(name)} (a string).`);
  let value: unknown;
  try {
    value = fromLiteral(literal, null, name);
  } catch (error) {
    throw new InvalidArgumentError(`${taskType} task cannot read its input ${JSON.stringify(name)}: ${errorMessage(error)}`, { cause: error });
  }
  if (typeof value !== "string") {
    throw new InvalidArgumentError(`${taskType} task's input ${JSON.stringify(name)} must be a string.`);
  }
  return value;
}
