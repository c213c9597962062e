/**
 * The static registry every function bundles. Each connector is one entry: what ListAgents shows
 * of it, and a literal import() of its module that esbuild follows and emits as a chunk of its
 * own, so a function loads a connector's code only when a call needs it and listAgents/getAgent
 * never do. No dynamic paths and no filesystem scanning at cold start. A connector is deployed
 * by adding its entry here; the loaded connector must have the name, task type and kind its
 * entry gives (the registry checks).
 */
import { ConnectorRegistry } from "../lib/connector/registry.js";

export const registry = new ConnectorRegistry()
  .registerLazy({
    name: "Echo Connector",
    taskTypeName: "echo",
    isSync: true,
    load: () => import("../lib/connectors/echo.js").then((m) => new m.EchoConnector()),
  })
  .registerLazy({
    name: "Sleep Connector",
    taskTypeName: "sleep",
    isSync: false,
    load: () => import("../lib/connectors/sleep.js").then((m) => new m.SleepConnector()),
  })
  .registerLazy({
    name: "Webhook Connector",
    taskTypeName: "webhook",
    isSync: true,
    load: () => import("../lib/connectors/webhook.js").then((m) => new m.WebhookConnector()),
  });
