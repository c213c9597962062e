/**
 * Snowflake SQL cut into code, quoted text and comments, so that placeholders, `?` and `;` are
 * told apart from the same characters inside a string literal, a quoted identifier or a comment.
 * Lexical rules: https://docs.snowflake.com/en/sql-reference/data-types-text#string-constants
 * ('...' with '' and backslash escapes, $$...$$) and /sql-reference/identifiers-syntax ("..."
 * with ""), comments --, // and /* *\/.
 */

export type SegmentKind = "code" | "string" | "identifier" | "comment";

export interface Segment {
  readonly kind: SegmentKind;
  readonly text: string;
}

/** The segments of `sql`, in order; their texts joined give `sql` back. An unclosed quote runs to the end. */
export function scanSql(sql: string): Segment[] {
  const segments: Segment[] = [];
  let codeStart = 0;
  let i = 0;
  const push = (kind: SegmentKind, end: number) => {
    if (codeStart < i) segments.push({ kind: "code", text: sql.slice(codeStart, i) });
    segments.push({ kind, text: sql.slice(i, end) });
    i = end;
    codeStart = end;
  };
  while (i < sql.length) {
    const char = sql[i];
    const next = sql[i + 1];
    if (char === "'") push("string", quotedEnd(sql, i, "'", true));
    else if (char === '"') push("identifier", quotedEnd(sql, i, '"', false));
    else if (char === "$" && next === "$") push("string", closingEnd(sql, i + 2, "$$"));
    else if ((char === "-" && next === "-") || (char === "/" && next === "/")) push("comment", lineEnd(sql, i));
    else if (char === "/" && next === "*") push("comment", closingEnd(sql, i + 2, "*/"));
    else i += 1;
  }
  if (codeStart < sql.length) segments.push({ kind: "code", text: sql.slice(codeStart) });
  return segments;
}

/** Where a quoted run that opens at `start` ends: a doubled quote stays inside, and so does a backslash-escaped character in strings. */
function quotedEnd(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    if (backslashEscapes && sql[i] === "\\") i += 2;
    else if (sql[i] === quote && sql[i + 1] === quote) i += 2;
    else if (sql[i] === quote) return i + 1;
    else i += 1;
  }
  return sql.length;
}

function closingEnd(sql: string, from: number, closing: string): number {
  const at = sql.indexOf(closing, from);
  return at === -1 ? sql.length : at + closing.length;
}

function lineEnd(sql: string, from: number): number {
  const at = sql.indexOf("\n", from);
  return at === -1 ? sql.length : at;
}
