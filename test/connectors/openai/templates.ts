/**
 * Task templates as flytekit's OpenAI plugins write them (flytekit v1.16.24, e96c720,
 * plugins/flytekit-openai/flytekitplugins/openai/), and the requests FlytePropeller sends.
 */
import { flyteidl } from "../../../lib/idl/index.js";
import { structFromJson } from "../../../lib/literals/index.js";

const { SimpleType } = flyteidl.core;

const STRING = { simple: SimpleType.STRING };

/**
 * ChatGPTTask (chatgpt/task.py): type "chatgpt" (line 14), custom `{"openai_organization",
 * "chatgpt_config"}` (get_custom, lines 40-44; openai_organization defaults to None, line 16),
 * interface `message: str -> o0: str` (lines 29-30).
 */
export function chatgptTemplate(chatgptConfig: Record<string, unknown>, openaiOrganization: string | null = null): flyteidl.core.TaskTemplate {
  return new flyteidl.core.TaskTemplate({
    id: { resourceType: flyteidl.core.ResourceType.TASK, project: "proj", domain: "dom", name: "chatgpt", version: "123" },
    type: "chatgpt",
    custom: structFromJson({ openai_organization: openaiOrganization, chatgpt_config: chatgptConfig }),
    interface: {
      inputs: { variables: { message: { type: STRING, description: "message" } } },
      outputs: { variables: { o0: { type: STRING, description: "o0" } } },
    },
  });
}

/**
 * BatchEndpointTask (batch/task.py): type "openai-batch" (line 30), custom `{"openai_organization",
 * "config"}` (get_custom, lines 52-56), interface `input_file_id: str -> result: Dict` (lines
 * 42-45); an untyped Dict is STRUCT annotated as MessagePack (flytekit/core/type_engine.py
 * DictTransformer.get_literal_type, lines 2336-2339).
 */
export function batchTemplate(config: Record<string, unknown>, openaiOrganization: string | null = null): flyteidl.core.TaskTemplate {
  return new flyteidl.core.TaskTemplate({
    id: { resourceType: flyteidl.core.ResourceType.TASK, project: "proj", domain: "dom", name: "gpt-3.5-turbo", version: "123" },
    type: "openai-batch",
    custom: structFromJson({ openai_organization: openaiOrganization, config }),
    interface: {
      inputs: { variables: { input_file_id: { type: STRING, description: "input_file_id" } } },
      outputs: {
        variables: {
          result: {
            type: {
              simple: SimpleType.STRUCT,
              annotation: { annotations: structFromJson({ "cache-key-metadata": { "serialization-format": "msgpack" } }) },
            },
            description: "result",
          },
        },
      },
    },
  });
}

/** String inputs as FlytePropeller sends them (decoded from the wire). */
export function stringInputs(values: Record<string, string>): flyteidl.core.LiteralMap {
  const literals = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { scalar: { primitive: { stringValue: value } } }]));
  return flyteidl.core.LiteralMap.decode(flyteidl.core.LiteralMap.encode({ literals }).finish());
}

/** The task execution id FlytePropeller sends with CreateTask. */
export function executionMetadata(attempt = 0): flyteidl.admin.TaskExecutionMetadata {
  return new flyteidl.admin.TaskExecutionMetadata({
    taskExecutionId: {
      taskId: { resourceType: flyteidl.core.ResourceType.TASK, project: "proj", domain: "dom", name: "batch-task", version: "123" },
      nodeExecutionId: { nodeId: "n0", executionId: { project: "proj", domain: "dom", name: "f6a3c9e1b2d4" } },
      retryAttempt: attempt,
    },
  });
}
