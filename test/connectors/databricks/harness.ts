/** The service the Databricks tests drive the plugin templates through, against the fake. */
import { afterEach, beforeEach, vi } from "vitest";
import type { Connection } from "../../../lib/connector/connector.js";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";
import { clearSecretsCache } from "../../../lib/connector/secrets.js";
import { DatabricksConnector, DatabricksConnectorV2 } from "../../../lib/connectors/databricks/connector.js";
import { clearAccessTokens } from "../../../lib/connectors/databricks/oauth.js";
import { ConnectorService } from "../../../lib/service/service.js";
import { DatabricksFake } from "./fake.js";
import { PAT } from "./plugin-templates.js";
import { useFake } from "../../support/use-fake.js";

export interface Harness {
  readonly fake: DatabricksFake;
  readonly service: ConnectorService;
  /** A Flyte 2 call's options. */
  connection(secrets: Record<string, string>): { connection: Connection };
}

/** Starts the fake once per file; each test starts with a fresh secret, token and env state. */
export function useDatabricks(): Harness {
  const fake = useFake(new DatabricksFake());
  const service = new ConnectorService(new ConnectorRegistry().register(new DatabricksConnector()).register(new DatabricksConnectorV2()));
  beforeEach(() => {
    fake.tokens.add(PAT);
    clearSecretsCache();
    clearAccessTokens();
    vi.stubEnv("FLYTE_DATABRICKS_ENDPOINT", fake.url);
    vi.stubEnv("FLYTE_DATABRICKS_ACCESS_TOKEN", PAT);
    for (const name of ["FLYTE_DATABRICKS_INSTANCE", "FLYTE_DATABRICKS_ALLOWED_INSTANCES", "FLYTE_DATABRICKS_SERVICE_CREDENTIAL_PROVIDER", "FLYTE_CONNECTOR_SECRETS_ID", "DATABRICKS_TOKEN", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"]) {
      vi.stubEnv(name, undefined);
    }
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  return {
    fake,
    service,
    connection: (secrets) => ({ connection: { secrets, configs: {} } }),
  };
}
