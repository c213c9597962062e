/**
 * The static registry every function bundles: esbuild follows these imports, so a connector is
 * deployed by adding it here. No dynamic imports and no filesystem scanning at cold start.
 */
import { ConnectorRegistry } from "../lib/connector/registry.js";
import { EchoConnector } from "../lib/connectors/echo.js";
import { SleepConnector } from "../lib/connectors/sleep.js";
import { WebhookConnector } from "../lib/connectors/webhook.js";

export const registry = new ConnectorRegistry()
  .register(new EchoConnector())
  .register(new SleepConnector())
  .register(new WebhookConnector());
