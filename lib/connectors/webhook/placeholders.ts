/**
 * flytekit's format_dict for webhook tasks: every string in `custom` may hold `{root.path}`
 * placeholders such as `{inputs.x}` or `{inputs.m.key}`. A string that is nothing but one
 * placeholder becomes the value itself (an int input stays an int in a JSON body); elsewhere the
 * value's Python `str` is spliced in. Braces that do not start with a name and a dot (JSON text,
 * `{}`) are left alone.
 */
import { errorMessage } from "../../connector/errors.js";
import { keyPath } from "../../literals/errors.js";
import type { JsonValue } from "../../literals/index.js";
import { type TemplateValue, templateValueText } from "./template-value.js";

export interface Placeholder {
  /** As written, braces included: `{inputs.x}`. */
  readonly text: string;
  /** What comes before the first dot: `inputs`. */
  readonly root: string;
  /** The dot-separated rest: `["x"]`. */
  readonly path: readonly string[];
}

/** The value a placeholder stands for; throws (with the reason) when it stands for nothing. */
export type ResolvePlaceholder = (placeholder: Placeholder) => TemplateValue;

const placeholderPattern = /\{([A-Za-z_]\w*)((?:\.[^.{}]+)+)\}/g;

/**
 * `value` with its placeholders filled; `where` names it in errors (`custom["url"]`). One pass:
 * text a placeholder brings in is never searched for placeholders again, so an input cannot
 * smuggle in a `{secrets.KEY}`.
 */
export function fillPlaceholders(value: JsonValue, where: string, resolve: ResolvePlaceholder): TemplateValue {
  if (typeof value === "string") return fillString(value, where, resolve);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item, index) => fillPlaceholders(item, keyPath(where, index), resolve));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, fillPlaceholders(item, keyPath(where, key), resolve)]),
  );
}

function fillString(text: string, where: string, resolve: ResolvePlaceholder): TemplateValue {
  const lookup = (match: RegExpMatchArray): TemplateValue => {
    const [placeholder = "", root = "", rest = ""] = match;
    try {
      return resolve({ text: placeholder, root, path: rest.slice(1).split(".") });
    } catch (error) {
      throw new Error(`Cannot fill ${placeholder} in ${where}: ${errorMessage(error)}`, { cause: error });
    }
  };
  const matches = [...text.matchAll(placeholderPattern)];
  const [only] = matches;
  if (matches.length === 1 && only?.[0] === text) return lookup(only);
  let filled = "";
  let end = 0;
  for (const match of matches) {
    filled += text.slice(end, match.index) + templateValueText(lookup(match));
    end = match.index + match[0].length;
  }
  return filled + text.slice(end);
}
