/**
 * The README's operations sections ("Build and deploy", "Using it from Flyte", "Using it from
 * Flyte 2", "From zero to a Flyte cluster", "Metrics and dashboards") against what they describe:
 *
 * - the FlytePropeller and Flyte 2 executor snippets use only keys Flyte reads, point at
 *   infra/k8s's Service the way it is served, and route task types the registry serves;
 * - the command lines they show for this CLI (and the Dockerfile's `docker run` example) are ones
 *   it accepts, and every flag or variable they name for it exists;
 * - the names the cluster walk-through uses (role, namespace, Deployment, files) are infra/k8s's.
 *
 * Flyte's keys, as its Go structs spell them (json tags), are copied here from flyteorg/flyte:
 * flyteplugins/go/tasks/plugins/webapi/connector/config.go (the `connector-service` section: at
 * v1.16.8 for Flyte 1, at main for Flyte 2's executor), pluginmachinery/webapi/pluginconfig.go
 * (`webApi`), flytepropeller/pkg/controller/nodes/task/config/config.go (Flyte 1's `tasks`) and
 * executor/pkg/config/task_plugin_config.go (Flyte 2's).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { registry } from "../../functions/registry.js";
import { parseCommandLine, type Command } from "../../lib/cli/command.js";
import { buildCommand } from "../../lib/cli/commands/build.js";
import { listCommand } from "../../lib/cli/commands/list.js";
import { runCommand } from "../../lib/cli/commands/run.js";
import { serveCommand } from "../../lib/cli/commands/serve.js";
import { REPO_ROOT } from "../support/build.js";

const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
const K8S_DIR = join(REPO_ROOT, "infra/k8s");

/** A `## title` section of the README, up to the next one. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README.md: no section '## ${title}'`);
  const end = README.indexOf("\n## ", start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The inline code of a section's prose (fenced blocks left out), each span on one line. */
function inlineCode(title: string): string[] {
  const prose = section(title).replace(/```[\s\S]*?```/g, "");
  return [...prose.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\s+/g, " ").trim());
}

const OPS_SECTIONS = ["Build and deploy", "Using it from Flyte", "Using it from Flyte 2", "From zero to a Flyte cluster", "Metrics and dashboards"];

/** The one ```yaml block of a section, parsed. */
function yamlBlock(title: string): FlyteConfig {
  const blocks = [...section(title).matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks, title).toHaveLength(1);
  return parse(blocks[0]!) as FlyteConfig;
}

interface Deployment {
  readonly endpoint: string;
  readonly insecure?: boolean;
  readonly defaultServiceConfig?: string;
  readonly timeouts?: Record<string, string>;
  readonly defaultTimeout?: string;
  readonly [key: string]: unknown;
}
interface FlyteConfig {
  readonly tasks: { readonly "task-plugins": { readonly "enabled-plugins"?: string[]; readonly "default-for-task-types": Record<string, string> } };
  readonly plugins: { readonly "connector-service": { readonly defaultConnector: Deployment; readonly connectors?: Record<string, Deployment>; readonly supportedTaskTypes?: string[]; readonly [key: string]: unknown } };
}

/** Flyte 1 (FlytePropeller, connector plugin from v1.15.1; v1.16.8 here) and Flyte 2 (the executor, flyte main). */
const FLYTE = {
  1: {
    section: "Using it from Flyte",
    taskPluginKeys: ["enabled-plugins", "default-for-task-types"],
    pluginKeys: ["webApi", "resourceConstraints", "defaultConnector", "connectors", "connectorForTaskTypes", "supportedTaskTypes", "pollInterval"],
    deploymentKeys: ["endpoint", "insecure", "defaultServiceConfig", "timeouts", "defaultTimeout"],
    /** The operation names the plugin looks its deadlines up by (getFinalContext). */
    timeoutKeys: ["CreateTask", "GetTask", "DeleteTask", "ExecuteTaskSync", "ListConnectors"],
  },
  2: {
    section: "Using it from Flyte 2",
    taskPluginKeys: ["default-for-task-types"],
    pluginKeys: ["webApi", "resourceConstraints", "defaultConnector", "connectors", "connectorApps", "connectorForTaskTypes", "supportedTaskTypes", "pollInterval", "logs"],
    deploymentKeys: ["endpoint", "insecure", "defaultServiceConfig", "timeouts", "defaultTimeout", "project", "domain"],
    timeoutKeys: ["CreateTask", "GetTask", "DeleteTask", "ListConnectors"],
  },
} as const;

/** pluginmachinery/webapi PluginConfig, the plugin's `webApi`. */
const WEBAPI_KEYS = ["resourceQuotas", "readRateLimiter", "writeRateLimiter", "caching", "resourceMeta"];

/** The task types the deployed registry serves. */
const servedTaskTypes = new Set(registry.listConnectors().flatMap((agent) => agent.supportedTaskCategories.map((category) => category.name!)));

type Manifest = { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
const manifest = (file: string): Manifest => parseAllDocuments(readFileSync(join(K8S_DIR, file), "utf8"))[0]!.toJS() as Manifest;
const service = manifest("service.yaml");
const deployment = manifest("deployment.yaml");
const container = deployment.spec.template.spec.containers[0] as { args: string[]; ports: { name: string; containerPort: number }[] };
const servicePort = (service.spec.ports as { port: number }[])[0]!.port;

describe.each([1, 2] as const)("the Flyte %i configuration", (version) => {
  const flyte = FLYTE[version];
  const config = () => yamlBlock(flyte.section);
  const plugin = () => config().plugins["connector-service"];
  const deployments = (): [string, Deployment][] => [["defaultConnector", plugin().defaultConnector], ...Object.entries(plugin().connectors ?? {})];

  test("uses only keys Flyte reads", () => {
    expect(Object.keys(config()).sort()).toEqual(["plugins", "tasks"]);
    expect(Object.keys(config().tasks)).toEqual(["task-plugins"]);
    for (const key of Object.keys(config().tasks["task-plugins"])) expect(flyte.taskPluginKeys, `tasks.task-plugins.${key}`).toContain(key);
    expect(Object.keys(config().plugins)).toEqual(["connector-service"]);
    for (const key of Object.keys(plugin())) expect(flyte.pluginKeys, `connector-service.${key}`).toContain(key);
    for (const [name, d] of deployments()) {
      for (const key of Object.keys(d)) expect(flyte.deploymentKeys, `${name}.${key}`).toContain(key);
      for (const [operation, timeout] of Object.entries(d.timeouts ?? {})) {
        expect(flyte.timeoutKeys, `${name}.timeouts.${operation}`).toContain(operation);
        expect(timeout, `${name}.timeouts.${operation}`).toMatch(/^\d+(ms|s|m)$/);
      }
      if (d.defaultTimeout !== undefined) expect(d.defaultTimeout, `${name}.defaultTimeout`).toMatch(/^\d+(ms|s|m)$/);
    }
  });

  test("routes to the connector plugin only task types the registry serves", () => {
    const taskPlugins = config().tasks["task-plugins"];
    for (const [taskType, pluginId] of Object.entries(taskPlugins["default-for-task-types"])) {
      // Flyte 1 takes a plugin for a task type only when it is enabled.
      if (taskPlugins["enabled-plugins"]) expect(taskPlugins["enabled-plugins"], taskType).toContain(pluginId);
      if (pluginId === "connector-service") expect(servedTaskTypes, taskType).toContain(taskType);
    }
    if (version === 1) expect(taskPlugins["enabled-plugins"]).toContain("connector-service");
    for (const taskType of plugin().supportedTaskTypes ?? []) expect(servedTaskTypes, taskType).toContain(taskType);
  });

  test("the default connector is infra/k8s's Service, in plaintext as the Deployment serves it", () => {
    const { endpoint, insecure } = plugin().defaultConnector;
    expect(endpoint).toBe(`dns:///${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local:${servicePort}`);
    expect(container.args).not.toContain("--tls-cert");
    expect(insecure).toBe(true);
  });

  test("every deployment is dialed as that Service is served: each replica by DNS, round_robin, with a deadline", () => {
    // Headless: dns:/// resolves every ready pod, which listens on the Service's port.
    expect(service.spec.clusterIP).toBe("None");
    for (const [name, d] of deployments()) {
      expect(d.endpoint, name).toMatch(new RegExp(`^dns:///[a-z0-9.-]+:${servicePort}$`));
      if (name === "defaultConnector") continue;
      // A deployment under `connectors` takes none of defaultConnector's defaults: without these it
      // would send every call down one connection to one replica (pick_first), with no deadline.
      const serviceConfig = JSON.parse(d.defaultServiceConfig ?? "{}") as { loadBalancingConfig?: Record<string, unknown>[] };
      expect(serviceConfig.loadBalancingConfig?.map((policy) => Object.keys(policy)[0]), `${name}.defaultServiceConfig`).toEqual(["round_robin"]);
      expect(d.defaultTimeout, `${name}.defaultTimeout`).toBeDefined();
    }
  });
});

test("the webApi settings the walk-through names are the plugin's", () => {
  const named = [...section("From zero to a Flyte cluster").matchAll(/`webApi\.(\w+)/g)].map((m) => m[1]!);
  expect(named.length).toBeGreaterThan(0);
  for (const key of named) expect(WEBAPI_KEYS, `webApi.${key}`).toContain(key);
});

describe("command lines", () => {
  const COMMANDS: Readonly<Record<string, Command>> = { serve: serveCommand, list: listCommand, run: runCommand };

  /** `flyte-connector <command> ...` in the inline code of the ops sections (a span may wrap). */
  const shown = () =>
    OPS_SECTIONS.flatMap(inlineCode)
      .map((span) => /^(?:npx )?(?:flyte-connector )?(serve|list|run) (--.*)$/.exec(span))
      .filter((match) => match !== null)
      .map((match) => ({ name: match[1]!, command: COMMANDS[match[1]!]!, args: match[2]!.replace(/ &$/, "").split(" ") }));

  test("each one the README shows, the CLI accepts", () => {
    const lines = shown();
    expect(lines.map((line) => line.name)).toEqual(expect.arrayContaining(["serve", "list"]));
    for (const { command, args } of lines) {
      const { positionals } = parseCommandLine(command, args);
      expect(positionals, args.join(" ")).toEqual([]);
    }
  });

  test("the Dockerfile's docker run example passes serve a command line it accepts, with the image's ports", () => {
    // The indented comment lines: the example commands, continued with a backslash.
    const examples = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8")
      .split("\n")
      .filter((line) => /^#\s{3,}\S/.test(line))
      .map((line) => line.replace(/^#\s*/, "").replace(/\\$/, ""))
      .join(" ");
    const run = /docker run (.*?) flyte-connectors-front\s+serve (.*)$/.exec(examples);
    expect(run).not.toBeNull();
    const { flags } = parseCommandLine(serveCommand, run![2]!.trim().split(/\s+/));
    const published = [...run![1]!.matchAll(/-p (\d+):(\d+)/g)].map((m) => Number(m[2]));
    expect(published).toEqual(expect.arrayContaining([Number(flags["grpc-port"]), Number(flags["metrics-port"])]));
  });

  test("every serve flag and variable the sections name exists", () => {
    const text = OPS_SECTIONS.map(section).join("\n");
    // Flags of other tools the sections show: serverless, the AWS CLI, kubectl, docker, node.
    const others = new Set(["--stage", "--param", "--enable-source-maps", "--role-name", "--assume-role-policy-document", "--policy-name", "--policy-document"]);
    // And the build's (npm run build -- --source-maps, flyte-connector build).
    const options = new Set([...Object.values(COMMANDS), buildCommand].flatMap((command) => Object.keys(command.options).map((name) => `--${name}`)));
    for (const [flag] of text.matchAll(/--[a-z][a-z0-9-]*/g)) {
      if (!others.has(flag)) expect(options, flag).toContain(flag);
    }
    for (const [variable] of text.matchAll(/\bFLYTE_[A-Z_]+\b/g)) expect(serveCommand.details, variable).toContain(variable);
  });
});

describe("the cluster walk-through", () => {
  const text = () => section("From zero to a Flyte cluster");

  test("every repository file it names exists", () => {
    const paths = [...text().matchAll(/(?:`|file:\/\/)((?:infra|test|lib|functions|docs)\/[\w./-]*\w|Dockerfile|serverless\.yml)/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(existsSync(join(REPO_ROOT, path)), path).toBe(true);
  });

  test("the role it creates is the one the ServiceAccount names, for that ServiceAccount", () => {
    const account = manifest("serviceaccount.yaml");
    const roles = new Set([...text().matchAll(/--role-name (\S+)/g)].map((m) => m[1]));
    expect([...roles]).toEqual([account.metadata.annotations!["eks.amazonaws.com/role-arn"]!.split("/").at(-1)]);
    expect(text()).toContain(`service account \`${account.metadata.namespace}/${account.metadata.name}\``);
  });

  test("the port-forward reaches the Deployment's gRPC port, which the list command then dials", () => {
    const [, namespace, name, port] = /kubectl -n (\S+) port-forward deploy\/(\S+) (\d+)/.exec(text()) ?? [];
    expect(namespace).toBe(deployment.metadata.namespace);
    expect(name).toBe(deployment.metadata.name);
    expect(Number(port)).toBe(container.ports.find((p) => p.name === "grpc")!.containerPort);
    expect(text()).toContain(`--address localhost:${port}`);
  });
});
