/**
 * What the SQL API runs and what it refuses, checked before anything is submitted so that the
 * task gets a clear INVALID_ARGUMENT rather than a failure from Snowflake. The SQL API refuses PUT
 * and GET, and accepts explicit transactions, session context changes (USE, ALTER SESSION),
 * session variables (SET, UNSET) and temporary tables and stages only inside a multi-statement
 * request (https://docs.snowflake.com/en/developer-guide/sql-api/intro#limitations-of-the-sql-api);
 * a multi-statement request must set MULTI_STATEMENT_COUNT and cannot bind variables
 * (/developer-guide/sql-api/submitting-multiple-statements).
 */
import { InvalidArgumentError } from "../../../connector/errors.js";
import { scanSql } from "./scan.js";

/** The statements of `sql` (split at `;` outside quotes and comments), each as its code only. */
export function statementsOf(sql: string): string[] {
  const statements: string[] = [];
  let current = "";
  for (const { kind, text } of scanSql(sql)) {
    if (kind === "comment") continue;
    if (kind !== "code") {
      current += text;
      continue;
    }
    const pieces = text.split(";");
    current += pieces[0];
    for (const piece of pieces.slice(1)) {
      statements.push(current);
      current = piece;
    }
  }
  statements.push(current);
  return statements.map((statement) => statement.trim()).filter((statement) => statement !== "");
}

/**
 * `sql` without the comments and empty statements after its last statement (`SELECT 1; -- note`
 * is sent as `SELECT 1;`): they change nothing, and a count of statements that took a trailing
 * comment for one more would refuse the request as a multi-statement one.
 */
export function withoutTrailingComments(sql: string): string {
  let end = 0;
  let offset = 0;
  for (const { kind, text } of scanSql(sql)) {
    if (kind === "string" || kind === "identifier") end = offset + text.length;
    else if (kind === "code") {
      const last = text.search(/[^\s;][\s;]*$/);
      if (last !== -1) end = offset + last + 1;
    }
    offset += text.length;
  }
  const semicolon = /^\s*;/.exec(sql.slice(end));
  return sql.slice(0, end + (semicolon ? semicolon[0].length : 0));
}

const NEVER = /^(PUT|GET)\b/i;
const ONLY_IN_MULTI: readonly [RegExp, string][] = [
  [/^USE\b/i, "USE"],
  [/^ALTER\s+SESSION\b/i, "ALTER SESSION"],
  // BEGIN alone (or BEGIN TRANSACTION/WORK) opens a transaction; BEGIN … END is a Snowflake Scripting block.
  [/^BEGIN(\s+(TRANSACTION|WORK))?(\s+NAME\s+\S+)?\s*$/i, "BEGIN"],
  [/^START\s+TRANSACTION\b/i, "START TRANSACTION"],
  [/^(COMMIT|ROLLBACK)\b/i, "COMMIT and ROLLBACK"],
  [/^(SET|UNSET)\b/i, "SET and UNSET of session variables"],
  [/^CREATE\s+(OR\s+REPLACE\s+)?(LOCAL\s+|GLOBAL\s+)?(TEMP|TEMPORARY|VOLATILE)\s+(TABLE|STAGE)\b/i, "temporary tables and stages"],
];

/**
 * The statements of `sql` if the SQL API can run them as one request: throws InvalidArgumentError
 * naming what it refuses. `bound` says whether the request binds variables.
 */
export function checkStatements(sql: string, bound: boolean): string[] {
  const statements = statementsOf(sql);
  if (statements.length === 0) throw new InvalidArgumentError("The task's SQL statement is empty.");
  for (const statement of statements) {
    const refused = NEVER.exec(statement);
    if (refused) {
      throw new InvalidArgumentError(
        `Snowflake's SQL API does not run ${refused[1]!.toUpperCase()} (file transfer): stage files another way, e.g. COPY INTO from an external stage.`,
      );
    }
  }
  if (statements.length === 1) {
    const found = ONLY_IN_MULTI.find(([pattern]) => pattern.test(statements[0]!));
    if (found) {
      throw new InvalidArgumentError(
        `Snowflake's SQL API runs ${found[1]} only in a request of several statements, where it affects the statements after it; alone it would have no effect. Set the database, schema, warehouse and role in the task's configuration.`,
      );
    }
  } else if (bound) {
    throw new InvalidArgumentError(
      `The statement holds ${statements.length} SQL statements and binds inputs: Snowflake's SQL API does not bind variables in a multi-statement request.`,
    );
  }
  return statements;
}
