/**
 * A fake Snowflake SQL API v2 (https://docs.snowflake.com/en/developer-guide/sql-api/reference):
 * POST /api/v2/statements, GET /api/v2/statements/{handle}, POST /api/v2/statements/{handle}/cancel,
 * with the documented checks: a key-pair JWT verified against the user's registered public key
 * (/developer-guide/sql-api/authenticating), the User-Agent the API requires, `?` bindings keyed
 * "1", "2", … of the documented types, MULTI_STATEMENT_COUNT for several statements and no
 * bindings with them (/submitting-multiple-statements), and requestId idempotency: a request id
 * already used, resubmitted with retry=true, answers the statement it started
 * (/submitting-requests#resubmitting-a-request-to-execute-sql-statements). Statements move
 * through a script of states, one step per status read; a done one answers 200 with a ResultSet,
 * the first partition of its rows inline (/handling-responses), as large as the script says.
 */
import { createHash, type KeyObject, randomUUID, verify } from "node:crypto";
import { type FakeRequest, type FakeResponse, PlatformFake } from "../../../lib/testing/index.js";

/** What a status read answers, in turn. */
export type StatementState =
  | "running"
  | "succeeded"
  /** Done, its first partition at least this many bytes of rows ("succeeded" answers one row). */
  | { readonly succeeded: { readonly firstPartitionBytes: number } }
  | "timeout"
  | { readonly failed: { readonly message: string; readonly sqlState: string; readonly code?: string } }
  /** An answer the API does not document, e.g. a 2xx other than 200 and 202. */
  | { readonly odd: number };

export interface FakeStatement {
  readonly handle: string;
  readonly requestId: string | null;
  readonly body: Record<string, unknown>;
  /** The JWT subject that submitted it. */
  readonly subject: string;
  readonly script: StatementState[];
  reads: number;
  cancelled: boolean;
}

const BINDING_TYPES = new Set(["FIXED", "REAL", "TEXT", "BINARY", "BOOLEAN", "DATE", "TIME", "TIMESTAMP_LTZ", "TIMESTAMP_NTZ", "TIMESTAMP_TZ"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class FakeSnowflake extends PlatformFake {
  readonly statements = new Map<string, FakeStatement>();
  /** The script of each statement submitted from now on. */
  script: StatementState[] = ["running", "succeeded"];
  /** Echo the request's Authorization header in error messages, as a careless proxy might. */
  leakAuthorization = false;
  /** The bearer tokens received. */
  readonly tokens: string[] = [];
  readonly #keys = new Map<string, KeyObject>();
  readonly #byRequestId = new Map<string, FakeStatement>();

  constructor() {
    super();
    this.route("POST", "/api/v2/statements", (request) => this.#submit(request));
    this.route("GET", "/api/v2/statements/{handle}", (request) => this.#status(request));
    this.route("POST", "/api/v2/statements/{handle}/cancel", (request) => this.#cancel(request));
  }

  /** Registers `user`'s public key, as `ALTER USER … SET RSA_PUBLIC_KEY` does; ACCOUNT.USER upper-cased. */
  trust(subject: string, publicKey: KeyObject): this {
    this.#keys.set(subject, publicKey);
    return this;
  }

  /** Forgets the statements, the trusted keys and the faults. */
  override reset(): void {
    super.reset();
    this.statements.clear();
    this.#byRequestId.clear();
    this.#keys.clear();
    this.tokens.length = 0;
    this.script = ["running", "succeeded"];
    this.leakAuthorization = false;
  }

  /** Snowflake's error body: `{code, message}` (QueryFailureStatus without a handle). */
  protected override error(status: number, message: string): FakeResponse {
    return { status, json: { code: String(390000 + status), message } };
  }

  protected override authenticate(request: FakeRequest): FakeResponse | undefined {
    const refuse = (why: string) => this.error(401, this.leakAuthorization ? `${why}: ${request.headers.authorization}` : why);
    if (!request.headers["user-agent"]) return this.error(400, "User-Agent header is required.");
    if (request.headers["x-snowflake-authorization-token-type"] !== "KEYPAIR_JWT") return refuse("Unsupported authorization token type.");
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    if (!token) return refuse("Missing bearer token.");
    this.tokens.push(token);
    const problem = this.#jwtProblem(token);
    return problem ? refuse(`JWT token is invalid: ${problem}.`) : undefined;
  }

  #jwtProblem(token: string): string | undefined {
    const [header, claims, signature, ...rest] = token.split(".");
    if (!header || !claims || !signature || rest.length > 0) return "not a JWT";
    const head = parse(header) as { alg?: string } | undefined;
    const body = parse(claims) as { iss?: string; sub?: string; iat?: number; exp?: number } | undefined;
    if (head?.alg !== "RS256" || !body) return "not RS256";
    const key = body.sub === undefined ? undefined : this.#keys.get(body.sub);
    if (!key) return `no public key for ${body.sub}`;
    if (!verify("sha256", Buffer.from(`${header}.${claims}`), key, Buffer.from(signature, "base64url"))) return "bad signature";
    const fingerprint = createHash("sha256").update(key.export({ type: "spki", format: "der" })).digest("base64");
    if (body.iss !== `${body.sub}.SHA256:${fingerprint}`) return "issuer is not ACCOUNT.USER.SHA256:<fingerprint>";
    const now = Math.floor(Date.now() / 1000);
    if (typeof body.iat !== "number" || typeof body.exp !== "number" || body.exp <= now || body.exp - body.iat > 3600 || body.iat > now + 60) {
      return "expired, or valid for more than an hour";
    }
    return undefined;
  }

  #subject(request: FakeRequest): string {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")![1]!;
    return (parse(token.split(".")[1]!) as { sub: string }).sub;
  }

  #submit(request: FakeRequest): FakeResponse {
    if (request.query.get("async") !== "true") return this.error(400, "this fake serves async=true submits only");
    const requestId = request.query.get("requestId");
    if (requestId !== null && !UUID.test(requestId)) return this.error(400, "requestId must be a UUID.");
    if (requestId !== null) {
      const earlier = this.#byRequestId.get(requestId);
      if (earlier && request.query.get("retry") === "true") return this.#answer(earlier, false);
    }
    const body = request.json as Record<string, unknown> | undefined;
    const problem = body ? this.#bodyProblem(body) : "the body must be a JSON object";
    if (problem) return this.error(400, problem);
    const statement: FakeStatement = {
      handle: randomUUID(),
      requestId,
      body: body!,
      subject: this.#subject(request),
      script: [...this.script],
      reads: 0,
      cancelled: false,
    };
    this.statements.set(statement.handle, statement);
    if (requestId !== null) this.#byRequestId.set(requestId, statement);
    return this.#answer(statement, false);
  }

  #bodyProblem(body: Record<string, unknown>): string | undefined {
    const { statement, bindings, parameters } = body;
    if (typeof statement !== "string" || statement.trim() === "") return "statement is required";
    for (const name of ["database", "schema", "warehouse", "role"]) {
      if (body[name] !== undefined && typeof body[name] !== "string") return `${name} must be a string`;
    }
    const count = (parameters as Record<string, string> | undefined)?.["MULTI_STATEMENT_COUNT"];
    const statements = statement.replace(/'(?:[^'\\]|\\.|'')*'/g, "''").split(";").filter((part) => part.trim() !== "").length;
    if (statements > 1 && count === undefined) return `Actual statement count ${statements} did not match the desired statement count 1.`;
    // A `?` in quoted text or a comment is no bind variable.
    const code = statement.replace(/'(?:[^'\\]|\\.|'')*'|"(?:[^"]|"")*"|\$\$[\s\S]*?\$\$|(?:--|\/\/)[^\n]*|\/\*[\s\S]*?\*\//g, "");
    const marks = (code.match(/\?/g) ?? []).length;
    const entries = Object.entries((bindings ?? {}) as Record<string, { type?: unknown; value?: unknown }>);
    if (entries.length > 0 && statements > 1) return "Bind variables are not supported in multi-statement requests.";
    if (entries.length !== marks) return `Bind variable count ${entries.length} does not match the ${marks} placeholders.`;
    for (const [index, [key, binding]] of entries.entries()) {
      if (key !== String(index + 1)) return `bindings must be keyed "1", "2", …; got "${key}"`;
      if (typeof binding.type !== "string" || !BINDING_TYPES.has(binding.type)) return `binding ${key} has an unsupported type`;
      if (typeof binding.value !== "string") return `binding ${key} must have a string value`;
    }
    return undefined;
  }

  #status(request: FakeRequest): FakeResponse {
    const statement = this.statements.get(request.params["handle"]!);
    if (!statement) return this.error(404, `Statement ${request.params["handle"]} not found.`);
    return this.#answer(statement, true);
  }

  #cancel(request: FakeRequest): FakeResponse {
    const statement = this.statements.get(request.params["handle"]!);
    if (!statement) return this.error(404, `Statement ${request.params["handle"]} not found.`);
    statement.cancelled = true;
    return { json: { code: "000604", sqlState: "57014", message: "SQL execution canceled", statementHandle: statement.handle } };
  }

  /** The statement's current state (a status read moves it one step on); a cancelled one failed with 000604. */
  #answer(statement: FakeStatement, read: boolean): FakeResponse {
    const state: StatementState = statement.cancelled
      ? { failed: { code: "000604", sqlState: "57014", message: "SQL execution canceled" } }
      : statement.script[Math.min(statement.reads, statement.script.length - 1)]!;
    if (read) statement.reads += 1;
    const status = {
      statementHandle: statement.handle,
      createdOn: 1_700_000_000_000,
      statementStatusUrl: `/api/v2/statements/${statement.handle}`,
    };
    if (state === "running") {
      return { status: 202, json: { code: "333334", message: "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.", ...status } };
    }
    if (state === "succeeded") return resultSet(status, [{ name: "1", type: "fixed", nullable: false }], [["1"]]);
    if (state === "timeout") {
      return { status: 408, json: { code: "000630", sqlState: "57014", message: "Statement reached its statement or warehouse timeout of 10 second(s) and was canceled.", ...status } };
    }
    if ("succeeded" in state) return resultSet(status, PAYLOAD_ROW_TYPE, payloadRows(state.succeeded.firstPartitionBytes));
    if ("odd" in state) return { status: state.odd, json: { ...status } };
    return { status: 422, json: { code: state.failed.code ?? "002003", sqlState: state.failed.sqlState, message: state.failed.message, ...status } };
  }
}

/** A ResultSet of one partition, `data` inline (the reference's ResultSet and its resultSetMetaData). */
function resultSet(status: Record<string, unknown>, rowType: readonly Record<string, unknown>[], data: readonly (readonly string[])[]): FakeResponse {
  const partitionInfo = [{ rowCount: data.length, uncompressedSize: Buffer.byteLength(JSON.stringify(data)) }];
  return {
    json: {
      code: "090001",
      sqlState: "00000",
      message: "Statement executed successfully.",
      ...status,
      resultSetMetaData: { numRows: data.length, format: "jsonv2", partitionInfo, rowType },
      data,
    },
  };
}

const PAYLOAD = "x".repeat(1024);
const PAYLOAD_ROW_TYPE = [
  { name: "ID", type: "fixed", precision: 38, scale: 0, nullable: false },
  { name: "PAYLOAD", type: "text", length: PAYLOAD.length, byteLength: PAYLOAD.length, nullable: false },
];

/** Rows (ID, PAYLOAD) of at least `bytes` in all: jsonv2 writes every value as a string. */
function payloadRows(bytes: number): string[][] {
  return Array.from({ length: Math.ceil(bytes / PAYLOAD.length) }, (_, index) => [String(index + 1), PAYLOAD]);
}

function parse(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}
