/**
 * The `chatgpt` connector through the service, against the OpenAI fake (reached through
 * OPENAI_BASE_URL), with templates as flytekit's ChatGPTTask writes them.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Status } from "../../../lib/connector/errors.js";
import { Phase } from "../../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";
import { ChatGPTConnector } from "../../../lib/connectors/openai/chatgpt.js";
import type { flyteidl } from "../../../lib/idl/index.js";
import { ConnectorService } from "../../../lib/service/service.js";
import type { DispatchOptions } from "../../../lib/service/operations.js";
import { rejection } from "../../support/rejection.js";
import { OpenAIFake } from "./fake.js";
import { chatgptTemplate, stringInputs } from "./templates.js";
import { useFake } from "../../support/use-fake.js";

const fake = useFake(new OpenAIFake());
const logged: string[] = [];
const service = new ConnectorService(new ConnectorRegistry().register(new ChatGPTConnector()), {
  logger: { error: (...args: unknown[]) => logged.push(args.map((arg) => (arg instanceof Error ? `${arg.message}\n${arg.stack}` : String(arg))).join(" ")) },
});

beforeEach(() => {
  vi.stubEnv("OPENAI_BASE_URL", fake.baseUrl);
  vi.stubEnv("_FSEC_FLYTE_OPENAI_API_KEY", fake.apiKey);
});
afterEach(() => {
  vi.unstubAllEnvs();
  fake.reply = (message) => ({ content: `You said: ${message}` });
  logged.length = 0;
});

/** flytekit's own connector test: chatgpt/test_connector.py lines 29-32 and 53-59. */
const flytekitConfig = { model: "gpt-3.5-turbo", temperature: 0.7 };
const flytekitOrganization = "test-openai-orgnization-id";

function chat(
  message: string | undefined,
  config: Record<string, unknown> = flytekitConfig,
  organization: string | null = flytekitOrganization,
  options: DispatchOptions = {},
): Promise<flyteidl.admin.IResource> {
  const requests: flyteidl.admin.IExecuteTaskSyncRequest[] = [
    { header: { template: chatgptTemplate(config, organization), outputPrefix: "s3://bucket/out" } },
  ];
  if (message !== undefined) requests.push({ inputs: stringInputs({ message }) });
  return service.executeTaskSync(requests, options).then(([response]) => response!.header!.resource!);
}

describe("chatgpt", () => {
  it("sends chatgpt_config with the input as the one user message and answers the text as o0", async () => {
    const resource = await chat("Test ChatGPT Plugin");
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    expect(resource.outputs?.literals?.["o0"]?.scalar?.primitive?.stringValue).toBe("You said: Test ChatGPT Plugin");
    const [call, ...more] = fake.calls;
    expect(more).toEqual([]);
    expect(call!.method).toBe("POST");
    expect(call!.path).toBe("/v1/chat/completions");
    expect(call!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(call!.headers["openai-organization"]).toBe(flytekitOrganization);
    // connector.py line 37: messages replaced by the one user message; the rest sent as given.
    expect(call!.json).toEqual({ model: "gpt-3.5-turbo", temperature: 0.7, messages: [{ role: "user", content: "Test ChatGPT Plugin" }] });
  });

  it("sends openai-python's request options as options: chat.completions.create(**chatgpt_config) takes extra_body, extra_headers, extra_query and timeout", async () => {
    const resource = await chat("hi", { ...flytekitConfig, extra_body: { seed: 7 }, extra_headers: { "X-Team": "evals" }, extra_query: { trace: "1" }, timeout: 30 });
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    const [call] = fake.calls;
    expect(call!.json).toEqual({ model: "gpt-3.5-turbo", temperature: 0.7, messages: [{ role: "user", content: "hi" }], seed: 7 });
    expect(call!.headers["x-team"]).toBe("evals");
    expect(call!.query.get("trace")).toBe("1");
  });

  it("holds a timeout longer than Node's timers keep (2^31 - 1 ms) as no limit, not one that fires at once", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      const resource = await chat("hi", { ...flytekitConfig, timeout: 3e6 });
      expect(resource.phase).toBe(Phase.SUCCEEDED);
      expect(fake.calls).toHaveLength(1);
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings).not.toContain("TimeoutOverflowWarning");
  });

  it("replaces messages the config carries, as flytekit does", async () => {
    await chat("hi", { ...flytekitConfig, messages: [{ role: "system", content: "be brief" }] });
    expect((fake.calls[0]!.json as { messages: unknown }).messages).toEqual([{ role: "user", content: "hi" }]);
  });

  it("passes the key and organization itself: OPENAI_API_KEY, OPENAI_ORG_ID and OPENAI_PROJECT_ID are not read", async () => {
    vi.stubEnv("OPENAI_API_KEY", "sk-from-the-environment-0000");
    vi.stubEnv("OPENAI_ORG_ID", "org-from-the-environment");
    vi.stubEnv("OPENAI_PROJECT_ID", "proj_from_the_environment");
    const resource = await chat("hello", flytekitConfig, null);
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    const { headers } = fake.calls[0]!;
    expect(headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(headers["openai-organization"]).toBeUndefined();
    expect(headers["openai-project"]).toBeUndefined();
  });

  it("reads the key from the Flyte 2 connection first", async () => {
    vi.stubEnv("_FSEC_FLYTE_OPENAI_API_KEY", "sk-stale-environment-key-1111");
    const connection = { secrets: { FLYTE_OPENAI_API_KEY: fake.apiKey }, configs: {} };
    const resource = await chat("hello", flytekitConfig, flytekitOrganization, { connection });
    expect(resource.phase).toBe(Phase.SUCCEEDED);
  });

  it("is FAILED_PRECONDITION naming the secret when no source has the key, and calls nothing", async () => {
    vi.stubEnv("_FSEC_FLYTE_OPENAI_API_KEY", undefined);
    const error = await rejection(chat("hello"));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.message).toContain('Secret "FLYTE_OPENAI_API_KEY" not found');
    expect(fake.calls).toEqual([]);
  });

  it.each([
    ["an empty key", "_FSEC_FLYTE_OPENAI_API_KEY", "", 'Secret "FLYTE_OPENAI_API_KEY" is empty'],
    ["a key no header can carry", "_FSEC_FLYTE_OPENAI_API_KEY", "sk-proj-abc\nsk-proj-def", 'Secret "FLYTE_OPENAI_API_KEY" is not an OpenAI API key: it holds characters an HTTP header cannot carry.'],
    ["a base URL that is no http(s) URL", "OPENAI_BASE_URL", "localhost:1234/v1", 'OPENAI_BASE_URL is not an http(s) URL: "localhost:1234/v1".'],
  ])("is FAILED_PRECONDITION with %s", async (_, name, value, expected) => {
    vi.stubEnv(name, value);
    const error = await rejection(chat("hello"));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.message).toContain(expected);
    expect(fake.calls).toEqual([]);
  });

  describe("the task's own failures are FAILED with the API's message", () => {
    it("an unknown model", async () => {
      const resource = await chat("hello", { model: "gpt-9" });
      expect(resource.phase).toBe(Phase.FAILED);
      expect(resource.message).toBe(
        "OpenAI could not complete the chat: HTTP 404: The model `gpt-9` does not exist or you do not have access to it. (model_not_found)",
      );
      expect(fake.calls).toHaveLength(1);
    });

    it("a message over the context length", async () => {
      fake.contextChars = 10;
      try {
        const resource = await chat("a message longer than ten characters");
        expect(resource.phase).toBe(Phase.FAILED);
        expect(resource.message).toContain("This model's maximum context length is 10 tokens.");
        expect(resource.message).toContain("(context_length_exceeded)");
      } finally {
        fake.contextChars = 4_000;
      }
    });

    it("an exhausted quota, a 429 that no retry mends, asked once", async () => {
      fake.fault({
        status: 429,
        body: { error: { message: "You exceeded your current quota, please check your plan and billing details.", type: "insufficient_quota", param: null, code: "insufficient_quota" } },
      });
      const resource = await chat("hello");
      expect(resource.phase).toBe(Phase.FAILED);
      expect(resource.message).toContain("You exceeded your current quota");
      expect(fake.calls).toHaveLength(1);
    });

    it("a refusal", async () => {
      fake.reply = () => ({ refusal: "I can't help with that." });
      const resource = await chat("hello");
      expect(resource.phase).toBe(Phase.FAILED);
      expect(resource.message).toBe("The model refused to answer: I can't help with that.");
    });

    it("an answer with no text (a tool call the config asked for)", async () => {
      fake.reply = () => ({ toolCall: "lookup" });
      const resource = await chat("hello");
      expect(resource.phase).toBe(Phase.FAILED);
      expect(resource.message).toBe("The model's answer has no text (finish_reason: tool_calls).");
    });
  });

  describe("a template the plugin would not write is INVALID_ARGUMENT, before any call", () => {
    it.each([
      ["no model", {}, "hello", "custom.chatgpt_config.model"],
      ["streaming", { model: "gpt-3.5-turbo", stream: true }, "hello", "cannot stream"],
      ["streaming by extra_body", { model: "gpt-3.5-turbo", extra_body: { stream: true } }, "hello", "cannot stream"],
      ["a timeout that is no number of seconds", { model: "gpt-3.5-turbo", timeout: "soon" }, "hello", "timeout must be a number of seconds"],
      ["no message", flytekitConfig, undefined, 'needs the input "message"'],
    ])("%s", async (_, config, message, expected) => {
      const error = await rejection(chat(message, config));
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
      expect(error.message).toContain(expected);
      expect(fake.calls).toEqual([]);
    });
  });

  it.each([
    ["a line break", "org-flyte\nX-Injected: 1"],
    ["characters beyond Latin-1", "org-é✓"],
  ])("an openai_organization with %s is INVALID_ARGUMENT, before any call", async (_, organization) => {
    const error = await rejection(chat("hello", flytekitConfig, organization));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toContain("The task's openai_organization cannot be sent: it holds characters an HTTP header cannot carry.");
    expect(fake.calls).toEqual([]);
  });

  describe("credentials refused: FAILED_PRECONDITION", () => {
    it("a wrong key, never quoted, even masked, in the answer or the log", async () => {
      const revoked = "sk-proj-revokedKEY9876543210zyxw";
      vi.stubEnv("_FSEC_FLYTE_OPENAI_API_KEY", revoked);
      const error = await rejection(chat("hello"));
      expect(error.code).toBe(Status.FAILED_PRECONDITION);
      expect(error.message).toContain("HTTP 401: Incorrect API key provided: sk-[redacted].");
      expect(error.message).toContain("secret FLYTE_OPENAI_API_KEY");
      for (const text of [error.message, ...logged]) {
        expect(text).not.toContain(revoked);
        expect(text).not.toContain(revoked.slice(0, 8));
        expect(text).not.toContain(revoked.slice(-4));
      }
    });

    it("an organization the key does not belong to", async () => {
      const error = await rejection(chat("hello", flytekitConfig, "org-someone-else"));
      expect(error.code).toBe(Status.FAILED_PRECONDITION);
      expect(error.message).toContain("OpenAI-Organization header should match organization for API key (mismatched_organization)");
    });
  });

  it("redacts the key where the API would quote it whole", async () => {
    fake.fault({ status: 400, body: { error: { message: `bad request from ${fake.apiKey}`, type: "invalid_request_error", param: null, code: null } } });
    const resource = await chat("hello");
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).not.toContain(fake.apiKey);
    expect(resource.message).toContain("[redacted]");
  });

  describe("faults", () => {
    it("retries throttling, honouring Retry-After", async () => {
      fake.fault({ status: 429, retryAfter: 0 });
      const resource = await chat("hello");
      expect(resource.phase).toBe(Phase.SUCCEEDED);
      expect(fake.calls.map((call) => call.status)).toEqual([429, 200]);
    });

    it("is UNAVAILABLE when throttling outlasts the retries", async () => {
      fake.fault({ status: 429, retryAfter: 0, times: Infinity });
      const error = await rejection(chat("hello"));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.message).toBe("OpenAI could not complete the chat: HTTP 429: injected fault 429 (rate_limit_exceeded)");
      expect(fake.calls).toHaveLength(3);
    });

    it("does not wait past the deadline for a Retry-After: UNAVAILABLE at once", async () => {
      fake.fault({ status: 429, retryAfter: 3600 });
      const error = await rejection(chat("hello", flytekitConfig, flytekitOrganization, { deadline: Date.now() + 5_000 }));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(fake.calls).toHaveLength(1);
    });

    it("retries a 409, as the package does (the API's conflict with another request)", async () => {
      fake.fault({ status: 409, body: { error: { message: "The resource was updated by another request.", type: "invalid_request_error", param: null, code: null } } });
      const resource = await chat("hello");
      expect(resource.phase).toBe(Phase.SUCCEEDED);
      expect(fake.calls.map((call) => call.status)).toEqual([409, 200]);
    });

    it("retries a 5xx, and is UNAVAILABLE when it stays", async () => {
      fake.fault({ status: 500 });
      expect((await chat("hello")).phase).toBe(Phase.SUCCEEDED);
      fake.reset();
      fake.fault({ status: 503, times: Infinity, retryAfter: 0 });
      const error = await rejection(chat("hello"));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.message).toContain("HTTP 503");
      expect(fake.calls).toHaveLength(3);
    });

    it("retries a malformed answer, and is UNAVAILABLE when it stays", async () => {
      fake.fault({ malformed: true });
      expect((await chat("hello")).phase).toBe(Phase.SUCCEEDED);
      fake.reset();
      fake.fault({ malformed: true, times: Infinity });
      const error = await rejection(chat("hello"));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.message).toBe("OpenAI could not complete the chat: answered with a body that is not JSON");
    });

    it("is UNAVAILABLE when the answer is JSON but no chat completion", async () => {
      fake.fault({ status: 200, body: { object: "list", data: [] }, times: Infinity });
      const error = await rejection(chat("hello"));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.message).toContain("answered with something else than the API's object");
    });

    it("answers UNAVAILABLE itself, before the deadline, when the API is too slow", async () => {
      fake.fault({ delayMs: 10_000, times: Infinity });
      const error = await rejection(chat("hello", flytekitConfig, flytekitOrganization, { deadline: Date.now() + 1_500 }));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.message).toMatch(/^OpenAI could not complete the chat: no answer within \d+ ms$/);
    });

    it("bounds reading a body that stalls after the headers too", async () => {
      // PlatformFake answers whole; this server sends the headers and part of a body, then nothing.
      const stalling = createServer((_, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.write('{"id": "chatcmpl-1", "choices": [');
      });
      stalling.listen(0, "127.0.0.1");
      await once(stalling, "listening");
      try {
        vi.stubEnv("OPENAI_BASE_URL", `http://127.0.0.1:${(stalling.address() as AddressInfo).port}/v1`);
        const error = await rejection(chat("hello", flytekitConfig, flytekitOrganization, { deadline: Date.now() + 1_500 }));
        expect(error.code).toBe(Status.UNAVAILABLE);
        expect(error.message).toMatch(/^OpenAI could not complete the chat: no answer within \d+ ms$/);
      } finally {
        stalling.closeAllConnections();
        stalling.close();
      }
    });

    it("is UNAVAILABLE when the connection drops, after the retries", async () => {
      fake.fault({ reset: true, times: Infinity });
      const error = await rejection(chat("hello"));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.message).toContain("OpenAI could not complete the chat: cannot reach it");
      expect(fake.calls).toHaveLength(3);
    });
  });
});
