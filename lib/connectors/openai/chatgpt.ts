/**
 * The `chatgpt` sync connector, flytekit's ChatGPTConnector
 * (plugins/flytekit-openai/flytekitplugins/openai/chatgpt/connector.py): one chat completion of
 * `custom.chatgpt_config` with the input `message` as the only message, answered as output `o0`.
 *
 * Where flytekit allows the completion 10 s and lets any failure escape as an error of the call,
 * this one is bounded by the call's deadline and answers: the API's refusal of the task (an
 * unknown model, a prompt over the context length, an exhausted quota) and a model that gives no
 * text are a FAILED task with the API's message; a rejected key FAILED_PRECONDITION; an API that
 * stays throttled or down through the retries UNAVAILABLE, so the caller tries the call again
 * later rather than failing the task on a passing condition (a 429 "rate_limit_exceeded" mends
 * with time; only "insufficient_quota" is final).
 */
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { SyncConnectorBase, type TaskParams } from "../../connector/connector.js";
import { InvalidArgumentError, TaskFailedError } from "../../connector/errors.js";
import { Phase } from "../../connector/phase.js";
import { Resource } from "../../connector/resource.js";
import { OpenAIClient } from "./client.js";
import { openAIRequest } from "./request-options.js";
import { readOpenAITask, stringInput } from "./task.js";

export const CHATGPT_TASK_TYPE = "chatgpt";

/** Per attempt, when no deadline bounds it sooner: a long answer takes a while to write. */
const CHAT_ATTEMPT_TIMEOUT_MS = 120_000;

export class ChatGPTConnector extends SyncConnectorBase {
  constructor() {
    super({ name: "ChatGPT Connector", taskTypeName: CHATGPT_TASK_TYPE });
  }

  async do(params: TaskParams): Promise<Resource> {
    const { organization, config } = readOpenAITask(params, CHATGPT_TASK_TYPE, "chatgpt_config");
    if (typeof config["model"] !== "string") {
      throw new InvalidArgumentError("chatgpt task needs custom.chatgpt_config.model, the model's name.");
    }
    // As flytekit does (connector.py line 37): the input is the conversation.
    const messages = [{ role: "user", content: stringInput(params, CHATGPT_TASK_TYPE, "message") }];
    const { body, options: request } = openAIRequest(config, "chatgpt task's custom.chatgpt_config", { messages });
    // Checked on the body, which extra_body may have set it in.
    if (body["stream"] === true) {
      throw new InvalidArgumentError("chatgpt task cannot stream (custom.chatgpt_config.stream): its output is the whole answer.");
    }
    const client = await OpenAIClient.connect(params, organization);
    const completion = await client.call({
      action: "complete the chat",
      send: (api, options) => api.chat.completions.create(body as unknown as ChatCompletionCreateParamsNonStreaming, { ...options, headers: request.headers, query: request.query }),
      check: isChatCompletion,
      resend: true,
      timeoutMs: request.timeoutMs ?? CHAT_ATTEMPT_TIMEOUT_MS,
    });
    return new Resource({ phase: Phase.SUCCEEDED, outputs: { o0: answerText(completion) } });
  }
}

/** flytekit's `completion.choices[0].message.content`, or the reason there is none. */
function answerText(completion: ChatCompletion): string {
  const [choice] = completion.choices;
  const { content, refusal } = choice!.message;
  if (typeof content === "string") return content;
  if (typeof refusal === "string" && refusal !== "") throw new TaskFailedError(`The model refused to answer: ${refusal}`);
  throw new TaskFailedError(`The model's answer has no text (finish_reason: ${String(choice!.finish_reason)}).`);
}

function isChatCompletion(answer: unknown): answer is ChatCompletion {
  const choices = (answer as Partial<ChatCompletion> | null)?.choices;
  const message: unknown = Array.isArray(choices) ? choices[0]?.message : undefined;
  return typeof message === "object" && message !== null;
}
