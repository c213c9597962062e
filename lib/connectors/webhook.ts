/**
 * The `webhook` demo connector (docs/CONTRACT.md §6), a port of flytekit's WebhookConnector: calls
 * the URL in the task's `custom` with GET or POST and reports the answer as the output `info`.
 * As in flytekit, every failure (bad custom, unknown placeholder, timeout, refused connection,
 * a status other than 2xx) is a FAILED Resource, never an error of the call.
 */
import { SyncConnectorBase, type TaskParams } from "../connector/connector.js";
import { errorMessage } from "../connector/errors.js";
import { Phase } from "../connector/phase.js";
import { SecretRedactor } from "../connector/redact.js";
import { Resource } from "../connector/resource.js";
import { getConnectorSecret } from "../connector/secrets.js";
import { sensitiveHeaderValues } from "../connector/sensitive-headers.js";
import { keyPath } from "../literals/errors.js";
import { structToJson } from "../literals/index.js";
import { pythonOutputs } from "../literals/python.js";
import { parseWebhookConfig, urlCredentials, type WebhookConfig } from "./webhook/config.js";
import { sendWebhook, type WebhookResponse } from "./webhook/http.js";
import { InputValues } from "./webhook/input-values.js";
import { fillPlaceholders, type Placeholder } from "./webhook/placeholders.js";
import type { TemplateValue } from "./webhook/template-value.js";

export const WEBHOOK_TASK_TYPE = "webhook";

export class WebhookConnector extends SyncConnectorBase {
  constructor() {
    super({ taskTypeName: WEBHOOK_TASK_TYPE, name: "Webhook Connector" });
  }

  async do(params: TaskParams): Promise<Resource> {
    const redactor = new SecretRedactor();
    try {
      const config = readConfig(params, redactor);
      const response = await sendWebhook(config, params.signal);
      if (response.status < 200 || response.status >= 300) {
        return failed(redactor.text(`Webhook failed with status code ${response.status}, response: ${response.text}`));
      }
      return new Resource({
        phase: Phase.SUCCEEDED,
        message: "Webhook was successfully invoked!",
        // A dict output, made as flytekit >= 1.14 makes it (MessagePack), whatever the task declared.
        outputs: pythonOutputs({ info: redactor.json(webhookInfo(config, response)) }),
      });
    } catch (error) {
      return failed(redactor.text(errorMessage(error)));
    }
  }
}

/**
 * `custom` with its placeholders filled: `{inputs.<name>}` anywhere, `{secrets.<key>}` only in
 * headers, so a secret can never reach the URL or data that the outputs may show. Each secret
 * used, each credential-like header value and the URL's password are given to `redactor`.
 */
function readConfig(params: TaskParams, redactor: SecretRedactor): WebhookConfig {
  const custom = params.taskTemplate.custom;
  const inputs = new InputValues(params.inputs);
  const filled = Object.entries(custom ? structToJson(custom) : {}).map(([key, value]) => {
    const inHeaders = key === "headers";
    const resolve = (placeholder: Placeholder): TemplateValue => {
      if (placeholder.root === "inputs") return inputs.get(placeholder.path);
      if (placeholder.root !== "secrets") {
        throw new Error("placeholders are {inputs.<name>}, and {secrets.<key>} in headers");
      }
      if (!inHeaders) throw new Error("secrets can only be used in headers");
      // flytekit's secret sources only (env _FSEC_<KEY>, the secrets file): the key is the task's choice.
      const secret = getConnectorSecret(placeholder.path.join("."), { unprefixedEnv: false });
      redactor.add(secret);
      return secret;
    };
    return [key, fillPlaceholders(value, keyPath("custom", key), resolve)] as const;
  });
  const config = parseWebhookConfig(Object.fromEntries(filled));
  for (const value of [...sensitiveHeaderValues(config.headers), ...urlCredentials(config.url)]) redactor.add(value);
  return config;
}

/**
 * flytekit's _build_response: the data and URL only when the task asks to show them, the data as
 * Python holds it (a whole float stays a float, an int exact at any size), for the MessagePack output.
 */
function webhookInfo(config: WebhookConfig, response: WebhookResponse): TemplateValue {
  return {
    status_code: response.status,
    response_data: response.text,
    ...(config.showData ? { input_data: config.data } : {}),
    ...(config.showUrl ? { url: config.url } : {}),
  };
}

function failed(message: string): Resource {
  return new Resource({ phase: Phase.FAILED, message });
}
