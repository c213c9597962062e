/**
 * The plugins' pyformat SQL made into SQL API SQL. Both plugins hand the driver `%(name)s`
 * placeholders and a dict, and the driver applies Python's `%` to the statement when the dict is
 * not empty (snowflake-connector-python cursor.py, `_preprocess_pyformat_query`): `%(name)s`
 * becomes the value and `%%` becomes `%`, in quoted text too; with no parameters the statement
 * goes as written. Here each `%(name)s` becomes `?` with a typed binding keyed "1", "2", …
 * (https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests#using-bind-variables-in-a-statement).
 */
import { InvalidArgumentError } from "../../../connector/errors.js";
import type { Binding, SqlParam } from "./params.js";
import { scanSql } from "./scan.js";

export interface BoundStatement {
  readonly statement: string;
  readonly bindings: Readonly<Record<string, Binding>>;
}

/** `%%`, `%(name)s`, or any other `%` (which Python's `%` refuses). */
const PERCENT = /%(?:%|\(([^)]*)\)s|\([^)]*\).?|.?)/gs;

/**
 * `sql` with its placeholders bound from `params`. With no parameters (undefined or empty) the
 * statement is left as written, as the driver leaves it. Throws InvalidArgumentError for what the
 * driver or the SQL API would refuse: an unknown name, a `%` that is neither `%%` nor `%(name)s`, a
 * placeholder inside quotes (the SQL API binds `?` only outside them), a `?` of the statement's
 * own beside bindings (it could be taken for one of them).
 */
export function bindPyformat(sql: string, params: ReadonlyMap<string, SqlParam> | undefined): BoundStatement {
  const formatting = params !== undefined && params.size > 0;
  const bindings: Record<string, Binding> = {};
  let count = 0;
  const bind = (param: Binding | null): string => {
    if (param === null) return "NULL";
    count += 1;
    bindings[String(count)] = param;
    return "?";
  };
  let ownMark = false;
  const parts = scanSql(sql).map(({ kind, text }) => {
    if (kind === "code" && text.includes("?")) ownMark = true;
    if (!formatting) return text;
    return text.replace(PERCENT, (found: string, name: string | undefined) => {
      if (found === "%%") return "%";
      if (kind === "comment") return found;
      if (name === undefined) {
        throw new InvalidArgumentError(
          `The statement has ${JSON.stringify(found)}: with inputs, placeholders are %(name)s and a literal % is written %%.`,
        );
      }
      if (kind !== "code") {
        throw new InvalidArgumentError(
          `The placeholder %(${name})s is inside quotes: Snowflake's SQL API binds values only outside them (write %(${name})s, not '%(${name})s').`,
        );
      }
      if (!params.has(name)) throw new InvalidArgumentError(`The statement uses %(${name})s, but the task has no input "${name}".`);
      const param = params.get(name)!;
      if (!Array.isArray(param)) return bind(param as Binding | null);
      if (param.length === 0) throw new InvalidArgumentError(`Input "${name}" is an empty list: %(${name})s would leave nothing in its place.`);
      return param.map(bind).join(",");
    });
  });
  // Unbound, a `?` goes as the plugins send it (MATCH_RECOGNIZE's zero-or-one quantifier is one);
  // beside bindings it could be taken for one of them, shifting every value after it.
  if (ownMark && count > 0) {
    throw new InvalidArgumentError(
      "The statement has a `?` outside quotes and binds inputs: Snowflake's SQL API could take that `?` for a bind variable. " +
        "Use %(name)s placeholders (and in a MATCH_RECOGNIZE pattern, {0,1} for ?).",
    );
  }
  return { statement: parts.join(""), bindings };
}
