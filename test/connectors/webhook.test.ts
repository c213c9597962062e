import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { decode as decodeMessagePack } from "@msgpack/msgpack";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { TaskParams } from "../../lib/connector/connector.js";
import { Phase } from "../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import type { Resource } from "../../lib/connector/resource.js";
import { WebhookConnector } from "../../lib/connectors/webhook.js";
import { MAX_RESPONSE_BYTES } from "../../lib/connectors/webhook/http.js";
import { flyteidl } from "../../lib/idl/index.js";
import { PythonFloat, structFromJson } from "../../lib/literals/index.js";
import { unpackb } from "../../lib/literals/unpackb.js";
import { ConnectorService } from "../../lib/service/service.js";
import { taskParams } from "../../lib/connector/task-params.js";

vi.mock("node:dns", async (real) => (await import("../support/test-names.js")).withTestNames(await real()));

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The client's port: tells connections apart. */
  readonly clientPort: number | undefined;
}

type Respond = (request: Received, response: ServerResponse) => void;

const ok: Respond = (_, response) => response.end("ok");

let received: Received[] = [];
let respond: Respond = ok;
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const seen = {
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
      body: Buffer.concat(chunks).toString("utf8"),
      clientPort: request.socket.remotePort,
    };
    received.push(seen);
    respond(seen, response);
  });
});
let base = "";

beforeAll(async () => {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  // Includes the requests the timeout tests left unanswered.
  server.closeAllConnections();
  server.close();
  await once(server, "close");
});

beforeEach(() => {
  received = [];
  respond = ok;
});

afterEach(() => {
  vi.unstubAllEnvs();
});

const connector = new WebhookConnector();

const integer = (value: number): flyteidl.core.ILiteral => ({ scalar: { primitive: { integer: value } } });
const float = (value: number): flyteidl.core.ILiteral => ({ scalar: { primitive: { floatValue: value } } });
const string = (value: string): flyteidl.core.ILiteral => ({ scalar: { primitive: { stringValue: value } } });

/** Inputs as FlytePropeller sends them: decoded from the wire, so int64 values may be Longs. */
function inputMap(literals: Record<string, flyteidl.core.ILiteral>): flyteidl.core.LiteralMap {
  return flyteidl.core.LiteralMap.decode(flyteidl.core.LiteralMap.encode({ literals }).finish());
}

function template(custom: Record<string, unknown>): flyteidl.core.TaskTemplate {
  return new flyteidl.core.TaskTemplate({ type: "webhook", custom: structFromJson(custom) });
}

function run(
  custom: Record<string, unknown>,
  inputs?: Record<string, flyteidl.core.ILiteral>,
  signal = new AbortController().signal,
): Promise<Resource> {
  const params: TaskParams = taskParams({
    taskTemplate: template(custom),
    outputPrefix: "s3://bucket/prefix",
    inputs: inputs && inputMap(inputs),
    signal,
  });
  return connector.do(params);
}

/**
 * The `info` output decoded from the wire form of the Resource. flytekit returns it as a dict
 * (flytekit/extras/webhook/connector.py:96), which Resource.to_flyte_idl converts by its Python
 * type (flytekit/extend/backend/base_connector.py:121): a dict is MessagePack bytes tagged
 * "msgpack" (flytekit/core/type_engine.py:2352-2355), not a Struct.
 */
function info(outputs: flyteidl.core.ILiteralMap | null | undefined): Record<string, unknown> {
  const binary = outputs?.literals?.info?.scalar?.binary;
  expect(binary?.tag).toBe("msgpack");
  return decodeMessagePack(binary!.value!) as Record<string, unknown>;
}

const infoOf = (resource: Resource) => info(resource.toFlyteIdl().outputs);

describe("WebhookConnector", () => {
  it("is the sync connector for webhook v0", () => {
    expect(connector.name).toBe("Webhook Connector");
    expect(connector.isSync).toBe(true);
    expect(connector.taskCategory.name).toBe("webhook");
    expect(connector.taskCategory.version).toBe(0);
  });

  it("GETs with the data as query parameters", async () => {
    respond = (_, response) => response.end("pong");
    const resource = await run({
      url: `${base}/hook?fixed=1`,
      method: "GET",
      data: { name: "a b", count: 2, flag: true, none: null, many: ["x", "y"] },
    });
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    expect(resource.message).toBe("Webhook was successfully invoked!");
    expect(received).toHaveLength(1);
    expect(received[0]!.method).toBe("GET");
    expect(received[0]!.url).toBe("/hook?fixed=1&name=a+b&count=2&flag=true&none=&many=x&many=y");
    expect(received[0]!.body).toBe("");
    expect(infoOf(resource)).toEqual({ status_code: 200, response_data: "pong" });
  });

  // httpx's params (flytekit/extras/webhook/connector.py:53): a data key replaces the URL's
  // parameter of that name (QueryParams.merge), and values are Python's str (primitive_value_to_str).
  it("GETs with a data key replacing the url's parameter of that name, floats as Python writes them", async () => {
    await run(
      {
        url: `${base}/hook?page=1&keep=yes`,
        method: "GET",
        data: { page: "{inputs.page}", ratio: "{inputs.ratio}", small: "{inputs.small}" },
      },
      { page: integer(2), ratio: float(2), small: float(0.00001) },
    );
    const query = new URL(received[0]!.url, base).searchParams;
    expect(query.getAll("page")).toEqual(["2"]);
    expect(query.get("keep")).toBe("yes");
    expect(query.get("ratio")).toBe("2.0");
    expect(query.get("small")).toBe("1e-05");
  });

  it("POSTs the data as a JSON body with its headers", async () => {
    const resource = await run({
      url: `${base}/post`,
      method: "post",
      headers: { "X-Custom": "yes" },
      data: { nested: { list: [1, "two"] } },
    });
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    const [request] = received;
    expect(request!.method).toBe("POST");
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.headers["x-custom"]).toBe("yes");
    expect(JSON.parse(request!.body)).toEqual({ nested: { list: [1, "two"] } });
  });

  // connector.py posts `json=data` (httpx): json.dumps of the data, so the body holds what Python
  // holds, an int at any size and a float as a float.
  it("POSTs the body as json.dumps writes the data: whole floats as 2.0, ints exact at any size", async () => {
    const resource = await run(
      { url: `${base}/post`, method: "POST", data: { ratio: "{inputs.ratio}", ratios: "{inputs.ratios}", big: "{inputs.big}", n: 3 } },
      {
        ratio: float(2),
        ratios: { collection: { literals: [float(1), float(0.5)] } },
        big: { scalar: { primitive: { integer: "9007199254740993" as unknown as number } } },
      },
    );
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    expect(received[0]!.body).toBe('{"ratio": 2.0, "ratios": [1.0, 0.5], "big": 9007199254740993, "n": 3}');
  });

  it("fails a body holding NaN or an infinity, as httpx (allow_nan=False) does, sending nothing", async () => {
    const resource = await run({ url: `${base}/post`, method: "POST", data: { x: { y: ["{inputs.x}"] } } }, { x: float(Number.NaN) });
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe("Out of range float values are not JSON compliant: nan");
    expect(received).toEqual([]);
  });

  it("makes each call on a connection of its own, which it closes (a frozen Lambda keeps none)", async () => {
    const custom = { url: `${base}/hook`, method: "POST", headers: { Connection: "keep-alive" }, data: {} };
    await run(custom);
    await run(custom);
    expect(received.map((request) => request.headers.connection)).toEqual(["close", "close"]);
    expect(new Set(received.map((request) => request.clientPort)).size).toBe(2);
  });

  it("keeps a content type the task set", async () => {
    await run({ url: base, method: "POST", headers: { "Content-Type": "application/vnd.api+json" }, data: {} });
    expect(received[0]!.headers["content-type"]).toBe("application/vnd.api+json");
    expect(received[0]!.body).toBe("{}");
  });

  it("POSTs without a body when there is no data, and posts when no method is given", async () => {
    const resource = await run({ url: base });
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    expect(received[0]!.method).toBe("POST");
    expect(received[0]!.body).toBe("");
    expect(received[0]!.headers["content-type"]).toBeUndefined();
  });

  it("fills {inputs.x} placeholders in the url, headers and data", async () => {
    const resource = await run(
      {
        url: `${base}/items/{inputs.id}`,
        method: "POST",
        headers: { "X-Ratio": "{inputs.ratio}", "X-Id": "{inputs.id}" },
        data: {
          id: "{inputs.id}",
          ratio: "{inputs.ratio}",
          name: "{inputs.name}",
          text: "id={inputs.id} ratio={inputs.ratio} small={inputs.small} name={inputs.name}",
          json: '{"kept": "as is"}',
        },
        show_data: true,
        show_url: true,
      },
      { id: integer(7), ratio: float(2), small: float(0.00001), name: string("Ada") },
    );
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    const [request] = received;
    expect(request!.url).toBe("/items/7");
    // Python's str(): a float input stays a float.
    expect(request!.headers["x-ratio"]).toBe("2.0");
    expect(request!.headers["x-id"]).toBe("7");
    const data = {
      id: 7,
      ratio: 2,
      name: "Ada",
      text: "id=7 ratio=2.0 small=1e-05 name=Ada",
      json: '{"kept": "as is"}',
    };
    expect(JSON.parse(request!.body)).toEqual(data);
    expect(infoOf(resource)).toEqual({ status_code: 200, response_data: "ok", input_data: data, url: `${base}/items/7` });
    // input_data is the dict Python holds (connector.py, _build_response), packed as msgpack-python
    // packs it: the float input a float (2.0), as json.dumps wrote it in the body.
    expect(request!.body).toContain('"ratio": 2.0');
    const packed = unpackb(resource.toFlyteIdl().outputs!.literals!.info!.scalar!.binary!.value!) as Map<string, Map<string, unknown>>;
    expect(packed.get("input_data")?.get("ratio")).toEqual(new PythonFloat(2));
    expect(packed.get("input_data")?.get("id")).toBe(7);
  });

  it("fills a timeout from an input", async () => {
    respond = () => {};
    const resource = await run({ url: base, timeout_sec: "{inputs.t}" }, { t: float(0.1) });
    expect(resource.message).toBe("Webhook request timed out after 0.1 seconds.");
  });

  it("fails on a placeholder for an input the task does not have, without calling", async () => {
    const resource = await run({ url: `${base}/{inputs.missing}` }, { id: integer(1) });
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe(
      'Cannot fill {inputs.missing} in custom["url"]: the task has no input "missing" (inputs: "id")',
    );
    expect(resource.toFlyteIdl().outputs).toBeNull();
    expect(received).toEqual([]);
  });

  it("fails on a placeholder of an unknown kind", async () => {
    const resource = await run({ url: base, data: { a: "{input.id}" } });
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe(
      'Cannot fill {input.id} in custom["data"]["a"]: placeholders are {inputs.<name>}, and {secrets.<key>} in headers',
    );
  });

  it("shows neither data nor url unless asked", async () => {
    const resource = await run({ url: base, data: { a: 1 }, show_data: false });
    expect(infoOf(resource)).toEqual({ status_code: 200, response_data: "ok" });
  });

  it("shows a null input_data when there was no data", async () => {
    const resource = await run({ url: base, show_data: true });
    expect(infoOf(resource)).toEqual({ status_code: 200, response_data: "ok", input_data: null });
  });

  it("fails on a status other than 2xx with flytekit's message", async () => {
    respond = (_, response) => {
      response.statusCode = 503;
      response.end("try later");
    };
    const resource = await run({ url: base, method: "GET" });
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe("Webhook failed with status code 503, response: try later");
    expect(resource.toFlyteIdl().outputs).toBeNull();
  });

  it("accepts any 2xx status", async () => {
    respond = (_, response) => {
      response.statusCode = 201;
      response.end("created");
    };
    const resource = await run({ url: base });
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    expect(infoOf(resource)).toEqual({ status_code: 201, response_data: "created" });
  });

  it("does not follow redirects", async () => {
    respond = (request, response) => {
      response.statusCode = 302;
      response.setHeader("location", `${base}/elsewhere`);
      response.end("moved");
    };
    const resource = await run({ url: `${base}/start` });
    expect(resource.message).toBe("Webhook failed with status code 302, response: moved");
    expect(received.map((request) => request.url)).toEqual(["/start"]);
  });

  it("fails when the server does not answer within timeout_sec", async () => {
    respond = () => {};
    const resource = await run({ url: base, timeout_sec: 0.2 });
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe("Webhook request timed out after 0.2 seconds.");
  });

  it("fails when the answer's body does not arrive within timeout_sec", async () => {
    respond = (_, response) => {
      response.writeHead(200);
      response.write("partial");
    };
    const resource = await run({ url: base, timeout_sec: 0.2 });
    expect(resource.message).toBe("Webhook request timed out after 0.2 seconds.");
  });

  // WebhookTask writes timeout.total_seconds() (flytekit/extras/webhook/task.py:132,142): any float.
  it("takes a timeout_sec that is no whole number of milliseconds", async () => {
    respond = () => {};
    const resource = await run({ url: base, timeout_sec: 0.1234 });
    expect(resource.message).toBe("Webhook request timed out after 0.1234 seconds.");
  });

  it("takes a timeout_sec longer than a timer holds (about 24.8 days) as the longest it holds", async () => {
    respond = (_, response) => setTimeout(() => response.end("late but fine"), 50);
    const resource = await run({ url: base, timeout_sec: 30 * 24 * 3600 });
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    expect(infoOf(resource).response_data).toBe("late but fine");
  });

  it("fails on an answer larger than it can carry back, reading no more of it", async () => {
    let written = 0;
    respond = (_, response) => {
      response.statusCode = 500;
      const chunk = Buffer.alloc(64 * 1024, "x");
      const more = () => {
        while (written <= 4 * MAX_RESPONSE_BYTES && response.write(chunk)) written += chunk.length;
        if (written <= 4 * MAX_RESPONSE_BYTES) response.once("drain", more);
        else response.end();
      };
      more();
    };
    const resource = await run({ url: base });
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe(`Webhook request failed: the answer is larger than ${MAX_RESPONSE_BYTES} bytes`);
  });

  it("carries back an answer of the largest size whole", async () => {
    const text = "y".repeat(MAX_RESPONSE_BYTES);
    respond = (_, response) => response.end(text);
    const resource = await run({ url: base });
    expect(infoOf(resource).response_data).toBe(text);
  });

  describe("targets it may not call (lib/connector/forbidden-host.ts, as the file sensor)", () => {
    it.each([
      (port: string) => `http://127.0.0.1:${port}/2018-06-01/runtime/invocation/next`,
      (port: string) => `http://localhost:${port}/2018-06-01/runtime/invocation/next`,
      (port: string) => `http://0x7f.1:${port}/`,
      (port: string) => `http://[::ffff:127.0.0.1]:${port}/`,
    ])("refuses the Lambda Runtime API under any loopback name (%#)", async (url) => {
      const port = new URL(base).port;
      vi.stubEnv("AWS_LAMBDA_RUNTIME_API", `127.0.0.1:${port}`);
      const resource = await run({ url: url(port), method: "GET" });
      expect(resource.phase).toBe(Phase.FAILED);
      expect(resource.message).toBe(`Webhook url ${JSON.stringify(url(port))} names a host the connector may not call.`);
      expect(received).toEqual([]);
    });

    it("refuses a DNS name that resolves to where it may not lead, before connecting", async () => {
      const port = new URL(base).port;
      vi.stubEnv("AWS_LAMBDA_RUNTIME_API", `127.0.0.1:${port}`);
      const runtime = `http://runtime-api.test:${port}/2018-06-01/runtime/invocation/next`;
      expect((await run({ url: runtime, method: "GET" })).message).toBe(`Webhook url ${JSON.stringify(runtime)} names a host the connector may not call (runtime-api.test is 127.0.0.1).`);
      const metadata = "http://metadata.test/latest/meta-data/";
      expect((await run({ url: metadata, timeout_sec: 0.5 })).message).toBe(`Webhook url ${JSON.stringify(metadata)} names a host the connector may not call (metadata.test is 169.254.169.254).`);
      expect(received).toEqual([]);

      // The same name on another port than the Runtime API's is an ordinary call.
      vi.stubEnv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001");
      expect((await run({ url: `http://runtime-api.test:${port}/hook` })).phase).toBe(Phase.SUCCEEDED);
      expect(received.map((request) => request.url)).toEqual(["/hook"]);
    });

    it.each([
      "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
      "http://169.254.170.2/v2/credentials",
      "http://[::ffff:169.254.169.254]/latest/api/token",
      "http://[fd00:ec2::254]/latest/meta-data/",
      "http://[fe80::1]/",
    ])("refuses the link-local metadata address %s", async (url) => {
      const resource = await run({ url, timeout_sec: 0.2 });
      expect(resource.message).toBe(`Webhook url ${JSON.stringify(url)} names a host the connector may not call.`);
    });

    it("calls loopback on another port than the Runtime API's", async () => {
      vi.stubEnv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001");
      const resource = await run({ url: `${base}/hook` });
      expect(resource.phase).toBe(Phase.SUCCEEDED);
      expect(received.map((request) => request.url)).toEqual(["/hook"]);
    });
  });

  it("fails when the caller's signal aborts", async () => {
    respond = () => {};
    const controller = new AbortController();
    const pending = run({ url: base }, undefined, controller.signal);
    setTimeout(() => controller.abort(new Error("deadline reached")), 50);
    const resource = await pending;
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe("Webhook request was cancelled: deadline reached");
  });

  it("fails when the connection is refused", async () => {
    const closed = createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, "close");
    const resource = await run({ url: `http://127.0.0.1:${port}/` });
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe(`Webhook request failed: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it.each([
    [{}, "Webhook task has no url (custom.url)."],
    [{ url: "" }, "Webhook task has no url (custom.url)."],
    [{ url: "not a url" }, 'Webhook url is not a valid URL: "not a url".'],
    [{ url: "ftp://host/file" }, 'Webhook url must be http or https, got "ftp://host/file".'],
    [{ url: "http://host", method: "PUT" }, 'Webhook method must be GET or POST, got string "PUT".'],
    [{ url: "http://host", timeout_sec: 0 }, "Webhook timeout_sec must be a positive number of seconds, got number 0."],
  ])("fails on an invalid custom %j", async (custom, message) => {
    const resource = await run(custom);
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe(message);
  });

  it("fails when the template has no custom at all", async () => {
    const resource = await connector.do(
      taskParams({ taskTemplate: { type: "webhook" }, outputPrefix: "", signal: new AbortController().signal }),
    );
    expect(resource.message).toBe("Webhook task has no url (custom.url).");
  });

  describe("secrets", () => {
    const secret = "s3cr3t-t0ken";

    beforeEach(() => {
      vi.stubEnv("_FSEC_WEBHOOK_TEST_TOKEN", secret);
    });

    it("fills {secrets.KEY} in headers from getConnectorSecret", async () => {
      const resource = await run({
        url: base,
        headers: { Authorization: "Bearer {secrets.webhook_test_token}" },
        show_data: true,
        show_url: true,
      });
      expect(resource.phase).toBe(Phase.SUCCEEDED);
      expect(received[0]!.headers.authorization).toBe(`Bearer ${secret}`);
      expect(JSON.stringify(resource.toFlyteIdl().toJSON())).not.toContain(secret);
    });

    it("reads {secrets.KEY} from flytekit's sources only, never the function's own environment (its role's keys)", async () => {
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", "role-secret-key-not-for-tasks");
      vi.stubEnv("AWS_SESSION_TOKEN", "role-session-token-not-for-tasks");
      for (const key of ["aws_secret_access_key", "aws_session_token"]) {
        const resource = await run({ url: base, headers: { "X-Key": `{secrets.${key}}` } });
        expect(resource.phase).toBe(Phase.FAILED);
        expect(resource.message).toMatch(new RegExp(`^Cannot fill \\{secrets\\.${key}\\} in custom\\["headers"\\]\\["X-Key"\\]: Secret "${key}" not found; looked in env _FSEC_${key.toUpperCase()}, file `));
      }
      expect(received).toEqual([]);
    });

    it("redacts a secret the remote echoes back, on success and on failure", async () => {
      respond = (request, response) => {
        response.statusCode = request.url === "/fail" ? 401 : 200;
        response.end(`you sent ${request.headers.authorization} (${JSON.stringify(request.headers.authorization)})`);
      };
      const headers = { Authorization: "Bearer {secrets.webhook_test_token}" };
      const succeeded = await run({ url: `${base}/ok`, headers });
      expect(infoOf(succeeded).response_data).toBe('you sent Bearer [redacted] ("Bearer [redacted]")');
      const failed = await run({ url: `${base}/fail`, headers });
      expect(failed.message).toBe(
        'Webhook failed with status code 401, response: you sent Bearer [redacted] ("Bearer [redacted]")',
      );
    });

    it("redacts credentials written into the template's headers, or brought in by an input", async () => {
      respond = (request, response) => {
        response.statusCode = 403;
        response.end(JSON.stringify(request.headers));
      };
      const headers = { Authorization: "Basic dXNlcjpwYXNzd29yZA==", "X-Api-Key": "{inputs.key}", Accept: "text/plain" };
      const failed = await run({ url: base, headers }, { key: string("k-from-input-123") });
      expect(failed.message).toContain('"authorization":"Basic [redacted]"');
      expect(failed.message).toContain('"x-api-key":"[redacted]"');
      expect(failed.message).toContain('"accept":"text/plain"');
      expect(failed.message).not.toMatch(/dXNlcjpwYXNzd29yZA|k-from-input-123/);
    });

    it("redacts the password of the url's userinfo, which goes out as Basic authorization", async () => {
      respond = (request, response) => {
        response.statusCode = 401;
        response.end(`you sent ${request.headers.authorization}`);
      };
      const url = `${base.replace("//", "//ada:p%40ss-from-url@")}/hook`;
      const failed = await run({ url });
      expect(failed.message).toBe("Webhook failed with status code 401, response: you sent Basic [redacted]");
      const filled = await run({ url: base.replace("//", "//ada:{inputs.password}@") }, { password: string("pw-from-input") });
      expect(filled.message).toBe("Webhook failed with status code 401, response: you sent Basic [redacted]");
    });

    it("names the header, never the secret, when a secret is no valid header value", async () => {
      vi.stubEnv("_FSEC_WEBHOOK_BAD", "bad\nvalue");
      const resource = await run({ url: base, headers: { "X-Key": "{secrets.webhook_bad}" } });
      expect(resource.phase).toBe(Phase.FAILED);
      expect(resource.message).toBe('Webhook request failed: Invalid character in header content ["x-key"]');
      expect(resource.message).not.toContain("bad\nvalue");
      expect(resource.message).not.toContain("bad\\nvalue");
      expect(received).toEqual([]);
    });

    it.each([
      [{ url: `http://host/{secrets.webhook_test_token}` }, 'custom["url"]'],
      [{ url: "http://host", data: { key: "{secrets.webhook_test_token}" } }, 'custom["data"]["key"]'],
    ])("refuses secrets outside headers (%j)", async (custom, where) => {
      const resource = await run(custom);
      expect(resource.phase).toBe(Phase.FAILED);
      expect(resource.message).toBe(
        `Cannot fill {secrets.webhook_test_token} in ${where}: secrets can only be used in headers`,
      );
    });

    it("does not expand a secret placeholder that an input brings in", async () => {
      await run({ url: base, headers: { "X-Echo": "{inputs.text}!" } }, { text: string("{secrets.webhook_test_token}") });
      expect(received[0]!.headers["x-echo"]).toBe("{secrets.webhook_test_token}!");
    });

    it("fails when the secret does not exist", async () => {
      const resource = await run({ url: base, headers: { "X-Key": "{secrets.webhook_missing_key}" } });
      expect(resource.phase).toBe(Phase.FAILED);
      expect(resource.message).toMatch(
        /^Cannot fill \{secrets\.webhook_missing_key\} in custom\["headers"\]\["X-Key"\]: Secret "webhook_missing_key" not found/,
      );
    });
  });

  it("answers ExecuteTaskSync through the service with one SUCCEEDED header", async () => {
    const service = new ConnectorService(new ConnectorRegistry().register(new WebhookConnector()));
    const responses = await service.executeTaskSync([
      {
        header: {
          template: template({ url: `${base}/svc/{inputs.n}`, method: "GET", show_url: true }),
          outputPrefix: "s3://bucket/out",
        },
      },
      { inputs: inputMap({ n: integer(3) }) },
    ]);
    expect(responses).toHaveLength(1);
    const resource = responses[0]!.header!.resource!;
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    expect(resource.message).toBe("Webhook was successfully invoked!");
    expect(info(resource.outputs)).toEqual({ status_code: 200, response_data: "ok", url: `${base}/svc/3` });
    expect(received[0]!.url).toBe("/svc/3");
  });

  it("answers a FAILED header through the service, not an error", async () => {
    const service = new ConnectorService(new ConnectorRegistry().register(new WebhookConnector()));
    const [response] = await service.executeTaskSync([{ header: { template: template({ method: "GET" }) } }]);
    expect(response!.header!.resource!.phase).toBe(Phase.FAILED);
    expect(response!.header!.resource!.message).toBe("Webhook task has no url (custom.url).");
  });
});
