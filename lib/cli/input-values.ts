/** `--input name=value` flags as plain values: JSON where the text is JSON, else the text itself. */
import { UsageError } from "./command.js";

/**
 * `1` is a number, `true` a boolean, `null` null, `[1,2]` and `{"a":1}` JSON, `"7"` the string 7;
 * anything that is not JSON (`hello`, `s3://bucket/key`) is the string as written.
 */
export function parseInputValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function parseInputs(assignments: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf("=");
    const name = equals < 0 ? "" : assignment.slice(0, equals).trim();
    if (!name) throw new UsageError(`--input takes name=value, got '${assignment}'.`);
    if (Object.hasOwn(values, name)) throw new UsageError(`--input ${name} is given more than once.`);
    values[name] = parseInputValue(assignment.slice(equals + 1));
  }
  return values;
}
