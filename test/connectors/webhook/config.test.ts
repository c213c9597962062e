import { describe, expect, it } from "vitest";
import { PythonFloat } from "../../../lib/connector/python-json.js";
import { DEFAULT_TIMEOUT_SEC, parseWebhookConfig } from "../../../lib/connectors/webhook/config.js";

describe("parseWebhookConfig", () => {
  it("reads every key", () => {
    expect(
      parseWebhookConfig({
        url: "https://example.com/x",
        method: "get",
        headers: { A: "1", B: 2, C: new PythonFloat(3), D: true },
        data: { n: new PythonFloat(1), list: [1n] },
        show_data: true,
        show_url: true,
        timeout_sec: new PythonFloat(5),
      }),
    ).toEqual({
      url: "https://example.com/x",
      method: "GET",
      headers: { A: "1", B: "2", C: "3.0", D: "True" },
      data: { n: new PythonFloat(1), list: [1n] },
      showData: true,
      showUrl: true,
      timeoutSec: 5,
    });
  });

  it("defaults what is not set", () => {
    expect(parseWebhookConfig({ url: "http://h", headers: null, data: null })).toEqual({
      url: "http://h",
      method: "POST",
      headers: {},
      data: null,
      showData: false,
      showUrl: false,
      timeoutSec: DEFAULT_TIMEOUT_SEC,
    });
    expect(DEFAULT_TIMEOUT_SEC).toBe(10);
  });

  it.each([
    [{ url: 5 }, "Webhook url must be a string, got number 5."],
    [{ method: true }, "Webhook method must be GET or POST, got boolean true."],
    [{ headers: "a" }, 'Webhook headers must be an object, got string "a".'],
    [{ headers: [] }, "Webhook headers must be an object, got array of length 0."],
    [{ headers: { A: { b: 1 } } }, 'Webhook header "A" must be a string, got object.'],
    [{ headers: { A: null } }, 'Webhook header "A" must be a string, got null.'],
    [{ data: [1] }, "Webhook data must be an object, got array of length 1."],
    [{ data: "x" }, 'Webhook data must be an object, got string "x".'],
    [{ show_data: "yes" }, 'Webhook show_data must be true or false, got string "yes".'],
    [{ show_url: 1 }, "Webhook show_url must be true or false, got number 1."],
    [{ timeout_sec: -1 }, "Webhook timeout_sec must be a positive number of seconds, got number -1."],
    [{ timeout_sec: "5" }, 'Webhook timeout_sec must be a positive number of seconds, got string "5".'],
  ])("rejects %j", (custom, message) => {
    expect(() => parseWebhookConfig({ url: "http://h", ...custom })).toThrow(message);
  });
});
