/**
 * flyte-sdk's batch mode (`custom.batch`): list inputs expanded into a multi-row VALUES clause,
 * as `_expand_batch_query` does (flyte-sdk plugins/snowflake/src/flyteplugins/snowflake/
 * connector.py:126-181): `VALUES (%(a)s, %(b)s)` with a = [1, 2] becomes
 * `VALUES (%(a_0)s, %(b_0)s), (%(a_1)s, %(b_1)s)` with parameters a_0, b_0, a_1, b_1.
 */
import { InvalidArgumentError } from "../../../connector/errors.js";
import type { PlainValue } from "../../../literals/index.js";

/**
 * flyte-sdk's pattern, `VALUES\s*\(((?:[^()]*|\([^)]*\))*)\)`, with the inner star folded into
 * the outer one: the same matches, without the nested quantifier that backtracks exponentially on
 * an unclosed clause.
 */
const VALUES_CLAUSE = /VALUES\s*\(((?:[^()]|\([^)]*\))*)\)/gi;

export interface ExpandedBatch {
  readonly query: string;
  /** The flat parameters, `<name>_<row>`, each with the input it came from. */
  readonly params: ReadonlyMap<string, { readonly input: string; readonly value: PlainValue }>;
}

export function expandBatchQuery(query: string, inputs: Readonly<Record<string, PlainValue>>): ExpandedBatch {
  const keys = Object.keys(inputs);
  const lists = keys.map((key) => {
    const value = inputs[key];
    // flyte-sdk takes len() of each input; only lists have rows (a string's characters are not rows).
    if (!Array.isArray(value)) throw new InvalidArgumentError(`Batch inputs must be lists: input "${key}" is not.`);
    return value;
  });
  const lengths = new Set(lists.map((list) => list.length));
  if (lengths.size !== 1) throw new InvalidArgumentError("All batch input lists must have the same length.");
  const rows = lists[0]!.length;
  if (rows === 0) throw new InvalidArgumentError("Batch inputs must contain at least one row.");

  const matches = [...query.matchAll(VALUES_CLAUSE)];
  if (matches.length === 0) throw new InvalidArgumentError("Batch inputs require a query template with a VALUES (...) clause.");
  if (matches.length > 1) throw new InvalidArgumentError("Batch query expansion supports exactly one VALUES (...) clause.");
  const match = matches[0]!;
  const content = match[1] ?? "";

  const params = new Map<string, { input: string; value: PlainValue }>();
  const valueRows: string[] = [];
  for (let row = 0; row < rows; row++) {
    let rowContent = content;
    keys.forEach((key, index) => {
      // Matched literally, as flyte-sdk's re.escape(key) does.
      rowContent = rowContent.split(`%(${key})s`).join(`%(${key}_${row})s`);
      params.set(`${key}_${row}`, { input: key, value: lists[index]![row]! });
    });
    valueRows.push(`(${rowContent})`);
  }
  const before = query.slice(0, match.index);
  const after = query.slice(match.index! + match[0].length);
  return { query: `${before}VALUES ${valueRows.join(", ")}${after}`, params };
}
