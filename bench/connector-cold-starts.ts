/**
 * The connectors whose first call the cold-start suite measures, one line each: a fresh function
 * process answers the call that loads the connector (createTask for an async connector,
 * executeTaskSync for a sync one), against the platform's fake where it calls one, reached
 * through the base-URL override its environment gives (CONTRACT.md §8).
 *
 * A real connector is added by one line, e.g. with its fake from test/connectors/<platform>/:
 *   { connector: "spark", op: "createTask", fake: () => new DatabricksFake(),
 *     env: (fake) => ({ FLYTE_DATABRICKS_INSTANCE: fake.url, ... }), requests: () => [createTaskRequest("spark", { ... })] },
 */
import { PlatformFake } from "../lib/testing/platform-fake.js";
import { createTaskRequest, executeTaskSyncRequests } from "./messages.js";

export interface ConnectorColdStart {
  /** The connector's task type. */
  readonly connector: string;
  /** The call that loads it. */
  readonly op: "createTask" | "executeTaskSync";
  /** The platform's fake, started before the runs and stopped after them. */
  readonly fake?: () => PlatformFake;
  /** Added to the function's environment (the fake's URL, credentials the fake accepts). */
  readonly env?: (fake: PlatformFake) => Readonly<Record<string, string>>;
  /** The call's request message(s), as FlytePropeller sends them. */
  readonly requests: (fake: PlatformFake | undefined) => Uint8Array[];
}

/** What a webhook task calls: any POST to /hook answers 200 with a small JSON body. */
class WebhookReceiver extends PlatformFake {
  constructor() {
    super();
    this.route("POST", "/hook", () => ({ json: { received: true } }));
  }
}

export const CONNECTOR_COLD_STARTS: readonly ConnectorColdStart[] = [
  { connector: "sleep", op: "createTask", requests: () => [createTaskRequest("sleep")] },
  { connector: "echo", op: "executeTaskSync", requests: () => executeTaskSyncRequests("echo") },
  {
    connector: "webhook",
    op: "executeTaskSync",
    fake: () => new WebhookReceiver(),
    // flytekit's WebhookTask custom (flytekit/extras/webhook/task.py).
    requests: (fake) => executeTaskSyncRequests("webhook", { url: `${fake!.url}/hook`, method: "POST", headers: {}, data: { run: "{inputs.name}" }, show_data: false, show_url: false, timeout_sec: 10 }),
  },
];
