/**
 * Secrets never reach a caller or the log. Planted: a connector secret (env `_FSEC_`, read with
 * getConnectorSecret), a credential written into a webhook task's template, one brought in by an
 * input, and the meta sealing key. Failing runs go through every transport — the Lambda handler
 * invoked directly and by an API Gateway event, the gRPC front and the HTTP routes of the local
 * stack — and everything a caller gets back (error bodies, messages, resources) and every line
 * written to stdout, stderr or the console is searched for each secret, as written and in base64.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { format } from "node:util";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createGrpcDispatch, type GrpcDispatch } from "../../lib/client/grpc-transport.js";
import { httpRequest } from "../../lib/client/http-transport.js";
import { AsyncConnectorBase, SyncConnectorBase } from "../../lib/connector/connector.js";
import { InvalidArgumentError } from "../../lib/connector/errors.js";
import { Phase } from "../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { Resource } from "../../lib/connector/resource.js";
import { defineResourceMeta, field } from "../../lib/connector/resource-meta.js";
import { getConnectorSecret } from "../../lib/connector/secrets.js";
import { SleepConnector, SleepMetadata } from "../../lib/connectors/sleep.js";
import { WebhookConnector } from "../../lib/connectors/webhook.js";
import { flyteidl } from "../../lib/idl/index.js";
import { structFromJson } from "../../lib/literals/index.js";
import { startLocalStack, type LocalStack } from "../../lib/local/local-stack.js";
import { MetaSealer, type MetaKey } from "../../lib/service/meta-seal.js";
import { operationNames, operations, type OperationName } from "../../lib/service/operations.js";
import { encodeMessage } from "../../lib/transport/codec.js";
import { createLambdaHandler, type LambdaHandler } from "../../lib/transport/lambda/handler.js";
import { lambdaContext } from "../client/support/mocked-lambda.js";
import { asJson } from "../support/demo-requests.js";
import { httpApiEvent } from "../transport/http/events.js";

const plant = (what: string) => `${what}-${randomBytes(12).toString("hex")}`;
const CONNECTOR_SECRET = plant("connector-secret");
const TEMPLATE_SECRET = plant("template-secret");
const INPUT_SECRET = plant("input-secret");
const KEY: MetaKey = { id: "k1", key: randomBytes(32) };
const KEY_BASE64 = Buffer.from(KEY.key).toString("base64");

/** Each secret in every form searched for. */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(
    Object.entries({ CONNECTOR_SECRET, TEMPLATE_SECRET, INPUT_SECRET }).map(([name, secret]) => {
      const base64 = Buffer.from(secret).toString("base64");
      return [name, [secret, base64, base64.replace(/=+$/, "")]];
    }),
  ),
  KEY: [KEY_BASE64, KEY_BASE64.replace(/=+$/, ""), Buffer.from(KEY.key).toString("hex"), Buffer.from(KEY.key).toString("base64url")],
};

function leaksIn(text: string): string[] {
  return Object.entries(FORBIDDEN).flatMap(([name, forms]) => (forms.some((form) => text.includes(form)) ? [name] : []));
}

// --- connectors that fail while holding a secret --------------------------------------------

const SECRET_KEY = "hardening_token";
const LeakyMeta = defineResourceMeta("LeakyMeta", { job: field.string() });
type LeakyMeta = InstanceType<typeof LeakyMeta>;

class LeakyConnector extends AsyncConnectorBase<LeakyMeta> {
  constructor() {
    super({ name: "Leaky Connector", taskTypeName: "leaky", metadataType: LeakyMeta });
  }
  create(): LeakyMeta {
    const token = getConnectorSecret(SECRET_KEY);
    throw new Error(`upstream refused token ${token}`, { cause: new Error(`401 for Authorization: Bearer ${token}`) });
  }
  get(): Resource {
    return new Resource({ phase: Phase.FAILED, message: `job failed; token was ${getConnectorSecret(SECRET_KEY)}` });
  }
  delete(): void {
    throw new InvalidArgumentError(`bad credentials: ${getConnectorSecret(SECRET_KEY)}`);
  }
  override getMetrics(): flyteidl.admin.IGetTaskMetricsResponse {
    throw `token ${encodeURIComponent(getConnectorSecret(SECRET_KEY))} expired`; // eslint-disable-line @typescript-eslint/only-throw-error
  }
  override getLogs(): never {
    // Only the log sees the cause.
    throw new Error("log backend refused", { cause: new Error(`with ${getConnectorSecret(SECRET_KEY)}`) });
  }
}

class LeakySyncConnector extends SyncConnectorBase {
  constructor() {
    super({ name: "Leaky Sync Connector", taskTypeName: "leaky_sync" });
  }
  do(): Resource {
    throw new TypeError(`sync token ${getConnectorSecret(SECRET_KEY)} invalid`);
  }
}

const registry = () =>
  new ConnectorRegistry()
    .register(new LeakyConnector())
    .register(new LeakySyncConnector())
    .register(new WebhookConnector())
    .register(new SleepConnector());

// --- what the failing runs send ---------------------------------------------------------------

/** Answers every request 500 with the headers it got: the worst remote a webhook can call. */
let echo: Server;
let echoUrl = "";

const sealed = (meta: { encode(): Uint8Array }, category: string, key: MetaKey = KEY) => new MetaSealer([key]).seal(meta.encode(), category);
const category = (name: string) => ({ name, version: 0 });

interface Run {
  readonly op: OperationName;
  readonly requests: () => object[];
  /** What the answer must show, so a run that failed some other way (or not at all) is noticed. */
  readonly shows: string;
}

const RUNS: Readonly<Record<string, Run>> = {
  "connector throws with the secret in its message and cause": {
    op: "createTask",
    requests: () => [{ template: { type: "leaky" } }],
    shows: "failed to create leaky task with error: upstream refused token [redacted]",
  },
  "connector answers a FAILED resource quoting the secret": {
    op: "getTask",
    requests: () => [{ taskCategory: category("leaky"), resourceMeta: sealed(new LeakyMeta({ job: "j-1" }), "leaky_v0") }],
    shows: "job failed; token was [redacted]",
  },
  "connector throws a ConnectorError (its own status) quoting the secret": {
    op: "deleteTask",
    requests: () => [{ taskCategory: category("leaky"), resourceMeta: sealed(new LeakyMeta({ job: "j-1" }), "leaky_v0") }],
    shows: "bad credentials: [redacted]",
  },
  "connector throws a string with the secret percent-encoded": {
    op: "getTaskMetrics",
    requests: () => [{ taskCategory: category("leaky"), resourceMeta: sealed(new LeakyMeta({ job: "j-1" }), "leaky_v0") }],
    shows: "failed to get metrics of leaky task with error: token [redacted] expired",
  },
  "connector throws with the secret in the cause only": {
    op: "getTaskLogs",
    requests: () => [{ taskCategory: category("leaky"), resourceMeta: sealed(new LeakyMeta({ job: "j-1" }), "leaky_v0") }],
    shows: "failed to get logs of leaky task with error: log backend refused",
  },
  "sync connector throws with the secret": {
    op: "executeTaskSync",
    requests: () => [{ header: { template: { type: "leaky_sync" } } }],
    shows: "failed to do leaky_sync task with error: sync token [redacted] invalid",
  },
  "webhook to a remote that echoes every header with a 500": {
    op: "executeTaskSync",
    requests: () => [
      {
        header: {
          template: {
            type: "webhook",
            custom: structFromJson({
              url: echoUrl,
              headers: {
                Authorization: `Bearer ${TEMPLATE_SECRET}`,
                "X-Connector-Token": `{secrets.${SECRET_KEY}}`,
                "X-Api-Key": "{inputs.api_key}",
              },
            }),
          },
        },
      },
      { inputs: { literals: { api_key: { scalar: { primitive: { stringValue: INPUT_SECRET } } } } } },
    ],
    shows: "Webhook failed with status code 500",
  },
  "a sealed meta that was tampered with": {
    op: "getTask",
    requests: () => {
      const meta = sealed(new SleepMetadata({ start_time: 0, duration: 0 }), "sleep_v0");
      meta[meta.length - 1]! ^= 1;
      return [{ taskCategory: category("sleep"), resourceMeta: meta }];
    },
    shows: "it was altered, or sealed with another key",
  },
  "a meta sealed with another key of the same id": {
    op: "getTask",
    requests: () => [
      { taskCategory: category("sleep"), resourceMeta: sealed(new SleepMetadata({ start_time: 0, duration: 0 }), "sleep_v0", { id: "k1", key: randomBytes(32) }) },
    ],
    shows: "not a sealed meta of this service",
  },
  "a task created and sealed": {
    op: "createTask",
    requests: () => [{ template: { type: "sleep", custom: structFromJson({ seconds: 0 }) } }],
    shows: "resourceMeta",
  },
};

/** Keys whose spec is written the wrong way round: the key sits where the id belongs. */
const SWAPPED_SPEC = `${KEY_BASE64}:k1`;
const MISCONFIGURED_RUNS: Readonly<Record<string, Run>> = {
  "createTask with sealing keys that do not parse": {
    op: "createTask",
    requests: () => [{ template: { type: "sleep" } }],
    shows: "Resource meta sealing is misconfigured",
  },
  "getTask with sealing keys that do not parse": {
    op: "getTask",
    requests: () => [{ taskCategory: category("sleep"), resourceMeta: sealed(new SleepMetadata({ start_time: 0, duration: 0 }), "sleep_v0") }],
    shows: "Resource meta sealing is misconfigured",
  },
};

// --- the transports -------------------------------------------------------------------------

/** Everything a caller gets back from one call, as text. */
type Call = (op: OperationName, requests: object[]) => Promise<string>;

interface Deployment {
  readonly transports: Readonly<Record<string, Call>>;
  close(): Promise<void>;
}

/** The wire form and back, so every transport gets the same plain messages. */
function normalised(op: OperationName, requests: object[]): object[] {
  const { requestType } = operations[op];
  return requests.map((request) => requestType.decode(encodeMessage(requestType, request)));
}

function decodedAnswer(op: OperationName, answer: unknown): string {
  const { body, messages } = answer as { body?: string; messages?: string[] };
  const { responseType } = operations[op];
  return (body === undefined ? (messages ?? []) : [body])
    .map((text) => JSON.stringify(asJson(responseType, responseType.decode(Buffer.from(text, "base64")))))
    .join("\n");
}

const JSON_HEADERS = { "content-type": "application/json", accept: "application/json" };

/** The functions, the gRPC front and the HTTP routes, each built with `env` as its environment. */
async function deploy(env: Readonly<Record<string, string>>): Promise<Deployment> {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  let handlers: Record<OperationName, LambdaHandler>;
  let stack: LocalStack;
  try {
    handlers = Object.fromEntries(operationNames.map((name) => [name, createLambdaHandler(name, registry())])) as typeof handlers;
    stack = await startLocalStack({ registry: registry(), grpcPort: 0, httpPort: 0 });
  } finally {
    vi.unstubAllEnvs();
  }
  const grpc: GrpcDispatch = createGrpcDispatch({ address: stack.grpcAddress, deadlineMs: 10_000 });
  const base = new URL(stack.httpUrl!);

  const transports: Record<string, Call> = {
    "Lambda, direct invocation": async (op, requests) => {
      const encoded = normalised(op, requests).map((request) => Buffer.from(encodeMessage(operations[op].requestType, request)).toString("base64"));
      const answer = await handlers[op](operations[op].requestStream ? { messages: encoded } : { body: encoded[0] }, lambdaContext(op));
      return `${JSON.stringify(answer)}\n${decodedAnswer(op, answer)}`;
    },
    "Lambda, API Gateway event": async (op, requests) => {
      const { method, url, body } = httpRequest(operations[op], normalised(op, requests), base, "json");
      const event = httpApiEvent({
        method,
        path: url.pathname,
        query: [...url.searchParams],
        headers: JSON_HEADERS,
        ...(body ? { body: Buffer.from(body).toString("utf8") } : {}),
      });
      return JSON.stringify(await handlers[op](event, lambdaContext(op)));
    },
    "gRPC front": async (op, requests) => {
      try {
        const answers = await grpc(op, normalised(op, requests));
        return answers.map((message) => JSON.stringify(asJson(operations[op].responseType, message))).join("\n");
      } catch (error) {
        return format("%s %o", error instanceof Error ? error.message : error, error);
      }
    },
    "HTTP routes": async (op, requests) => {
      const { method, url, body } = httpRequest(operations[op], normalised(op, requests), base, "json");
      const response = await fetch(url, { method, headers: JSON_HEADERS, body: body ?? null });
      return `${response.status} ${await response.text()}`;
    },
  };
  return {
    transports,
    close: async () => {
      grpc.close();
      await stack.close();
    },
  };
}

// --- capture, run, search -------------------------------------------------------------------

const logged: string[] = [];
const answers: { readonly run: string; readonly text: string }[] = [];
const ssm = mockClient(SSMClient);
let withKeys: Deployment;
let misconfigured: Deployment;

beforeAll(async () => {
  echo = createServer((request, response) => {
    response.statusCode = 500;
    response.end(JSON.stringify(request.headers));
  });
  echo.listen(0, "127.0.0.1");
  await once(echo, "listening");
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/hook`;

  const capture = (chunk: unknown) => {
    logged.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(format(...args)));
  }
  process.env[`_FSEC_${SECRET_KEY.toUpperCase()}`] = CONNECTOR_SECRET;
  ssm.on(GetParameterCommand).resolves({ Parameter: { Type: "SecureString", Value: SWAPPED_SPEC } });

  withKeys = await deploy({ FLYTE_CONNECTOR_META_KEYS: `${KEY.id}:${KEY_BASE64}` });
  misconfigured = await deploy({ FLYTE_CONNECTOR_META_KEYS_PARAMETER: "/flyte-connectors/meta-keys" });
});

afterAll(async () => {
  await withKeys?.close();
  await misconfigured?.close();
  delete process.env[`_FSEC_${SECRET_KEY.toUpperCase()}`];
  ssm.restore();
  vi.restoreAllMocks();
  echo?.closeAllConnections();
  echo?.close();
});

const TRANSPORTS = ["Lambda, direct invocation", "Lambda, API Gateway event", "gRPC front", "HTTP routes"];

describe.each(TRANSPORTS)("%s", (transport) => {
  test.each(Object.keys(RUNS))("%s: no secret in the answer", async (name) => {
    const { op, requests, shows } = RUNS[name]!;
    const text = await withKeys.transports[transport]!(op, requests());
    answers.push({ run: `${transport}: ${name}`, text });
    expect(text).toContain(shows);
    expect(leaksIn(text)).toEqual([]);
  });

  test.each(Object.keys(MISCONFIGURED_RUNS))("%s: no key in the answer", async (name) => {
    const { op, requests, shows } = MISCONFIGURED_RUNS[name]!;
    const text = await misconfigured.transports[transport]!(op, requests());
    answers.push({ run: `${transport}: ${name}`, text });
    expect(text).toContain(shows);
    expect(text).toContain("Meta key 1 of 1: the key must be 32 bytes");
    expect(leaksIn(text)).toEqual([]);
  });
});

describe("after every failing run", () => {
  test("every answer was searched", () => {
    const runs = Object.keys(RUNS).length + Object.keys(MISCONFIGURED_RUNS).length;
    expect(answers).toHaveLength(TRANSPORTS.length * runs);
  });

  test("the log got the failures, redacted, and no secret in any line", () => {
    const log = logged.join("");
    // The connectors' failures were logged (so the search below searched something) ...
    expect(log).toContain("upstream refused token [redacted]");
    expect(log).toContain("with [redacted]");
    expect(log).toContain("resource meta sealing keys unavailable");
    // ... and not one line holds a secret.
    expect(logged.filter((line) => leaksIn(line).length > 0)).toEqual([]);
  });
});
