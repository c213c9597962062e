/**
 * The values a webhook task's `custom` holds once its placeholders are filled. Placeholders
 * follow Python (flytekit fills them with `str(value)`), so a value keeps what `str` needs:
 * whether a number was an int or a float (a float input is a PythonFloat when integral).
 */
import {
  formatPythonFloat,
  type JsonValue as TemplateValue,
  PythonFloat,
  toPythonJson,
} from "../../connector/python-json.js";
import type { JsonValue } from "../../literals/index.js";

export type { TemplateValue };
export type TemplateObject = { readonly [key: string]: TemplateValue };

/** A dict: neither a list nor a number. */
export function isTemplateObject(value: TemplateValue): value is TemplateObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof PythonFloat);
}

/**
 * Python's `str(value)`: strings as they are, ints plain, floats as `repr` (`2.0`, `1e-05`,
 * `nan`), `True`/`False`, `None`. Lists and dicts are written as JSON (json.dumps layout) rather
 * than Python's repr, which no receiving end could parse.
 */
export function templateValueText(value: TemplateValue): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (value === null) return "None";
  if (typeof value === "bigint") return value.toString();
  if (value instanceof PythonFloat) return pythonFloatText(value.value);
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value).toString() : pythonFloatText(value);
  return toPythonJson(value);
}

/**
 * The value as plain JSON, for a dict or list in a GET's query parameters. What JSON cannot hold
 * exactly (a bigint, a NaN or infinite float) becomes its text.
 */
export function templateValueJson(value: TemplateValue): JsonValue {
  if (value instanceof PythonFloat) return templateValueJson(value.value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isFinite(value) ? value : templateValueText(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(templateValueJson);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, templateValueJson(item)]));
}

function pythonFloatText(value: number): string {
  // str(float) spells the non-finite values in lower case, unlike json.dumps.
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  return formatPythonFloat(value);
}
