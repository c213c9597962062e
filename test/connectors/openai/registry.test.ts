/**
 * The entries functions/registry.ts registers the OpenAI connectors with: each loads a connector
 * of the name, task type and kind it promises (the registry checks), and listing them loads no
 * connector code.
 */
import { describe, expect, it } from "vitest";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";

function openAIRegistry(): ConnectorRegistry {
  return new ConnectorRegistry()
    .registerLazy({
      name: "ChatGPT Connector",
      taskTypeName: "chatgpt",
      isSync: true,
      load: () => import("../../../lib/connectors/openai/chatgpt.js").then((m) => new m.ChatGPTConnector()),
    })
    .registerLazy({
      name: "OpenAI Batch Endpoint Connector",
      taskTypeName: "openai-batch",
      isSync: false,
      load: () => import("../../../lib/connectors/openai/batch.js").then((m) => new m.BatchEndpointConnector()),
    });
}

describe("the OpenAI connectors' registry entries", () => {
  it("list as flytekit names them (ChatGPTConnector.name, BatchEndpointConnector.name)", () => {
    const agents = openAIRegistry().listConnectors();
    expect(agents.map((agent) => [agent.name, agent.isSync, agent.supportedTaskTypes])).toEqual([
      ["ChatGPT Connector", true, ["chatgpt"]],
      ["OpenAI Batch Endpoint Connector", false, ["openai-batch"]],
    ]);
  });

  it("load connectors that match them", async () => {
    const registry = openAIRegistry();
    expect((await registry.getConnector("chatgpt")).name).toBe("ChatGPT Connector");
    expect((await registry.getConnector("openai-batch")).name).toBe("OpenAI Batch Endpoint Connector");
  });
});
