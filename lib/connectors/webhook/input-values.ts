/**
 * The task's inputs as `{inputs.<name>}` placeholders see them: flytekit's literal_string_repr,
 * where a file, directory, dataset or schema is its URI, an error its message, a datetime its ISO
 * form, a duration its seconds and bytes their base64.
 */
import { messageToDict, pythonIsoformat, pythonTotalSeconds } from "../../connector/python-str.js";
import type { flyteidl } from "../../idl/index.js";
import {
  Duration,
  FlyteDirectory,
  FlyteFile,
  fromLiteral,
  type PlainValue,
  StructuredDataset,
} from "../../literals/index.js";
import { keyPath } from "../../literals/errors.js";
import { floatValue } from "../../literals/values.js";
import { isTemplateObject, type TemplateValue } from "./template-value.js";

export class InputValues {
  readonly #literals: Readonly<Record<string, flyteidl.core.ILiteral>>;

  constructor(inputs: flyteidl.core.ILiteralMap | null | undefined) {
    this.#literals = inputs?.literals ?? {};
  }

  /**
   * The value at `path`: an input name, then keys into a map or JSON input (`m.key`). Inputs
   * are read only when asked for, so an input no placeholder uses can never fail the task.
   */
  get(path: readonly string[]): TemplateValue {
    const [name = "", ...keys] = path;
    if (!Object.hasOwn(this.#literals, name)) {
      const names = Object.keys(this.#literals).map((key) => JSON.stringify(key));
      throw new Error(`the task has no input ${JSON.stringify(name)} (inputs: ${names.join(", ") || "none"})`);
    }
    let value = literalValue(this.#literals[name]!, name);
    let where = `input ${JSON.stringify(name)}`;
    for (const key of keys) {
      if (!isTemplateObject(value) || !Object.hasOwn(value, key)) {
        throw new Error(`${where} has no key ${JSON.stringify(key)}`);
      }
      value = value[key]!;
      where = `${where}[${JSON.stringify(key)}]`;
    }
    return value;
  }
}

/**
 * literal_string_repr of one literal, walked as it walks one: a float keeps its `.0` wherever it
 * stands (fromLiteral's plain numbers cannot tell 2.0 from 2), and so does every number of a
 * Struct (MessageToDict); an error (a failure handler's `err` input) is its message and a schema
 * its URI, which fromLiteral refuses; other scalars are read by fromLiteral and rendered by
 * templateValue.
 */
function literalValue(literal: flyteidl.core.ILiteral, name: string): TemplateValue {
  const scalar = literal.scalar;
  if (scalar?.union?.value != null) return literalValue(scalar.union.value, name);
  if (scalar?.primitive?.floatValue != null) return floatValue(scalar.primitive.floatValue);
  if (scalar?.error != null) return scalar.error.message ?? "";
  if (scalar?.schema != null) return scalar.schema.uri ?? "";
  if (scalar?.generic != null) return messageToDict(scalar.generic);
  if (literal.collection != null) return (literal.collection.literals ?? []).map((item, index) => literalValue(item, keyPath(name, index)));
  if (literal.map != null) {
    return Object.fromEntries(Object.entries(literal.map.literals ?? {}).map(([key, item]) => [key, literalValue(item, keyPath(name, key))]));
  }
  return templateValue(fromLiteral(literal, null, name));
}

function templateValue(value: PlainValue): TemplateValue {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return pythonIsoformat(value);
  if (value instanceof Duration) return floatValue(pythonTotalSeconds(value.seconds, value.nanos)); // total_seconds() is a float
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (value instanceof FlyteFile || value instanceof FlyteDirectory || value instanceof StructuredDataset) {
    return value.uri;
  }
  if (Array.isArray(value)) return value.map(templateValue);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, templateValue(item)]));
}

