/**
 * The base of every platform fake: a real HTTP server on loopback that serves a platform's
 * endpoints, records each call and injects the faults a real platform shows (throttling, 5xx, a
 * slow or malformed answer). A fake extends it with its routes, the platform's documented request
 * checks and its job state machines; a connector reaches it through its base-URL override
 * (docs/CONTRACT.md §8), so the connector's real HTTP code runs against it.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A request as the fake received it; `Params` are its route's path parameters. */
export interface FakeRequest<Params extends PathParams = PathParams> {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The raw body ("" when none). */
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  readonly json: unknown;
  /** The path pattern's named groups. */
  readonly params: Readonly<Params>;
}

/** Path parameters by name. */
export type PathParams = Record<string, string>;

/**
 * The parameters of a route's path pattern, for its handler: `/jobs/{id}` gives `{ id: string }`,
 * so that `params.id` is a string under `noUncheckedIndexedAccess`. A pattern known only as a
 * `string`, or a RegExp, gives any names.
 */
export type RouteParams<Path extends string> = string extends Path ? PathParams : { [Name in ParamNames<Path>]: string };

/** The names of the `{name}` parts, as pathPattern finds them: a name is [A-Za-z_][A-Za-z0-9_]*, other braces are text. */
type ParamNames<Path extends string> = Path extends `${string}{${infer Rest}`
  ? Rest extends `${infer Name}}${infer After}`
    ? IsName<Name> extends true
      ? Name | ParamNames<After>
      : ParamNames<Rest>
    : never
  : never;

type Chars<Text extends string> = Text extends `${infer Char}${infer Rest}` ? Char | Chars<Rest> : never;
type NameStart = Chars<"abcdefghijklmnopqrstuvwxyz"> | Uppercase<Chars<"abcdefghijklmnopqrstuvwxyz">> | "_";
type NamePart = NameStart | Chars<"0123456789">;
type IsName<Text extends string> = Text extends `${infer Char}${infer Rest}` ? (Char extends NameStart ? IsNameRest<Rest> : false) : false;
type IsNameRest<Text extends string> = Text extends `${infer Char}${infer Rest}` ? (Char extends NamePart ? IsNameRest<Rest> : false) : true;

/** What a route answers. */
export interface FakeResponse {
  readonly status?: number;
  /** Sent as application/json. */
  readonly json?: unknown;
  /** Sent as is (with `contentType`, default text/plain). */
  readonly text?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type FakeHandler<Params extends PathParams = PathParams> = (request: FakeRequest<Params>) => FakeResponse | Promise<FakeResponse>;

/** A fault the fake injects instead of (or before) a route's answer. */
export interface Fault {
  /** Only calls whose `METHOD path` matches (a substring or a pattern); all calls when absent. */
  readonly route?: string | RegExp;
  /** How many matching calls it hits (default 1; Infinity for every one). */
  readonly times?: number;
  /** Answer this status instead of the route's answer, with `body` (JSON) when given. */
  readonly status?: number;
  readonly body?: unknown;
  /** A Retry-After header, in seconds. */
  readonly retryAfter?: number;
  /** Wait this long before answering (the route's answer, unless `status` or `malformed` replace it). */
  readonly delayMs?: number;
  /** Answer 200 with a body that is not JSON. */
  readonly malformed?: boolean;
  /** Drop the connection without an answer. */
  readonly reset?: boolean;
}

/** One call, as recorded: the request and the status answered. */
export interface RecordedCall extends FakeRequest {
  readonly status: number;
  /** The fault that answered it, if any. */
  readonly fault?: Fault;
}

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handler: FakeHandler;
}

interface ActiveFault {
  readonly fault: Fault;
  remaining: number;
}

export abstract class PlatformFake {
  readonly calls: RecordedCall[] = [];
  readonly #routes: Route[] = [];
  #faults: ActiveFault[] = [];
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();

  /** The fake's base URL, e.g. `http://127.0.0.1:41234`; set once started. */
  get url(): string {
    const address = this.#server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error(`${this.constructor.name} is not started`);
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => void this.#serve(request, response));
    server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    this.#server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Injects a fault on the next matching calls. */
  fault(fault: Fault): this {
    this.#faults.push({ fault, remaining: fault.times ?? 1 });
    return this;
  }

  /** Forgets the calls and faults (the platform's state is the subclass's to reset). */
  reset(): void {
    this.calls.length = 0;
    this.#faults = [];
  }

  /** The recorded calls to `METHOD path` patterns matching `route`. */
  callsTo(route: string | RegExp): RecordedCall[] {
    return this.calls.filter((call) => matches(route, `${call.method} ${call.path}`));
  }

  /**
   * Serves `method` on paths matching `path`: a pattern whose `{name}` parts match one path
   * segment each and reach the handler as `params.name` (typed: RouteParams), or a RegExp with
   * named groups.
   */
  protected route<Path extends string>(method: string, path: Path | RegExp, handler: FakeHandler<RouteParams<Path>>): this {
    // The pattern's groups are the names RouteParams gives the handler.
    this.#routes.push({ method, pattern: typeof path === "string" ? pathPattern(path) : path, handler: handler as FakeHandler });
    return this;
  }

  /** Runs before every route: answer a response to refuse the request (e.g. a missing credential). */
  protected authenticate(_request: FakeRequest): FakeResponse | undefined | Promise<FakeResponse | undefined> {
    return undefined;
  }

  /** The platform's shape of an error answer (override per platform). */
  protected error(status: number, message: string): FakeResponse {
    return { status, json: { error: { code: status, message } } };
  }

  async #serve(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const text = await readBody(incoming);
    const url = new URL(incoming.url ?? "/", "http://fake");
    const base = { method: incoming.method ?? "GET", path: url.pathname, query: url.searchParams, headers: incoming.headers, text, json: parseJson(text) };
    const line = `${base.method} ${base.path}`;
    const fault = this.#takeFault(line);
    let request: FakeRequest = { ...base, params: {} };
    let answer: FakeResponse;
    try {
      if (fault?.delayMs) await delay(fault.delayMs);
      if (fault?.reset) {
        this.calls.push({ ...request, status: 0, fault });
        outgoing.socket?.destroy();
        return;
      }
      if (fault?.malformed) {
        answer = { status: 200, text: '{"truncated": ', contentType: "application/json" };
      } else if (fault?.status !== undefined) {
        const faultAnswer = fault.body === undefined ? this.error(fault.status, `injected fault ${fault.status}`) : { status: fault.status, json: fault.body };
        answer = fault.retryAfter === undefined ? faultAnswer : { ...faultAnswer, headers: { ...faultAnswer.headers, "retry-after": String(fault.retryAfter) } };
      } else {
        const found = this.#match(base.method, base.path);
        if (!found) {
          answer = this.#routes.some((route) => route.pattern.test(base.path))
            ? this.error(405, `method ${base.method} not allowed on ${base.path}`)
            : this.error(404, `no such endpoint: ${line}`);
        } else {
          request = { ...base, params: found.params };
          answer = (await this.authenticate(request)) ?? (await found.route.handler(request));
        }
      }
    } catch (error) {
      answer = this.error(500, `fake failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const status = answer.status ?? 200;
    this.calls.push({ ...request, status, ...(fault ? { fault } : {}) });
    const body = answer.json !== undefined ? JSON.stringify(answer.json) : (answer.text ?? "");
    const contentType = answer.json !== undefined ? "application/json" : (answer.contentType ?? "text/plain");
    if (outgoing.destroyed) return;
    outgoing.writeHead(status, { "content-type": contentType, ...answer.headers });
    outgoing.end(body);
  }

  #takeFault(line: string): Fault | undefined {
    const active = this.#faults.find(({ fault, remaining }) => remaining > 0 && (fault.route === undefined || matches(fault.route, line)));
    if (!active) return undefined;
    active.remaining -= 1;
    this.#faults = this.#faults.filter(({ remaining }) => remaining > 0);
    return active.fault;
  }

  #match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(path);
      if (found) return { route, params: { ...found.groups } };
    }
    return undefined;
  }
}

function pathPattern(path: string): RegExp {
  const source = path
    .split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/)
    .map((part) => (part.startsWith("{") ? `(?<${part.slice(1, -1)}>[^/]+)` : part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`);
}

function matches(route: string | RegExp, line: string): boolean {
  return typeof route === "string" ? line.includes(route) : route.test(line);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
