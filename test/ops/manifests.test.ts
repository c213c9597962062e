/**
 * infra/k8s against the CLI, the Dockerfile and serverless.yml: the container's command line is
 * one `serve` accepts, its ports are the ones the probes, the Service and the metrics annotations
 * name, and the IAM policy grants exactly the invocations that command line makes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseCommandLine, type Flags } from "../../lib/cli/command.js";
import { serveCommand } from "../../lib/cli/commands/serve.js";
import { operationNames } from "../../lib/service/operations.js";
import { DEFAULT_GRPC_PORT } from "../../lib/transport/addresses.js";
import { REPO_ROOT } from "../support/build.js";
import { execForm, lastOf, readDockerfile } from "./dockerfile.js";

const K8S_DIR = join(REPO_ROOT, "infra/k8s");

/** A manifest, loosely typed: the test checks the shape it relies on. */
type Manifest = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

let manifests: Manifest[];
const one = (kind: string) => {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

beforeAll(() => {
  manifests = readdirSync(K8S_DIR)
    .filter((file) => file.endsWith(".yaml") && file !== "kustomization.yaml")
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(K8S_DIR, file), "utf8")).map((document) => {
        expect(document.errors, file).toEqual([]);
        return document.toJS() as Manifest;
      }),
    );
});

/** The serve flags of a command line `serve ...`, parsed as the CLI parses them (unknown flags throw). */
function serveFlags(argv: readonly string[]): Flags {
  expect(argv[0]).toBe("serve");
  const { flags, positionals, help } = parseCommandLine(serveCommand, argv.slice(1));
  expect(positionals).toEqual([]);
  expect(help).toBe(false);
  return flags;
}

describe("the Deployment", () => {
  const pod = () => one("Deployment").spec.template;
  const container = () => {
    const containers = pod().spec.containers;
    expect(containers).toHaveLength(1);
    return containers[0];
  };
  const flags = () => serveFlags(container().args);
  const portNamed = (name: string): number => container().ports.find((p: { name: string }) => p.name === name).containerPort;

  test("runs two replicas of the image's entrypoint with a command line serve accepts, against the functions", () => {
    const deployment = one("Deployment");
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.selector.matchLabels).toEqual(pod().metadata.labels);
    // No command: the image's ENTRYPOINT (node front.mjs) runs with these args in place of its CMD.
    expect(container().command).toBeUndefined();
    const runtime = readDockerfile().at(-1)!;
    expect(execForm(runtime, "ENTRYPOINT")).toEqual(["node", "front.mjs"]);
    const f = flags();
    expect(f.backend).toBe("lambda");
    // Reachable from FlytePropeller's pods.
    expect(f.host).toBe("0.0.0.0");
  });

  test("the gRPC port is the CLI's default, the Service's target and every probe's port, in plaintext", () => {
    const grpcPort = Number(flags()["grpc-port"]);
    expect(grpcPort).toBe(DEFAULT_GRPC_PORT);
    expect(portNamed("grpc")).toBe(grpcPort);
    // Kubernetes' gRPC probes speak plaintext: a TLS front would fail them.
    expect(flags()["tls-cert"]).toBeUndefined();
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      const grpc = container()[probe]?.grpc;
      expect(grpc, probe).toBeDefined();
      // A number: the gRPC probe takes no port name.
      expect(grpc.port, probe).toBe(grpcPort);
      // The whole server's status (""), which the health service answers.
      expect(grpc.service ?? "", probe).toBe("");
    }
  });

  test("metrics are served on the port the pod's scrape annotations name", () => {
    const metricsPort = Number(flags()["metrics-port"]);
    expect(portNamed("metrics")).toBe(metricsPort);
    const annotations = pod().metadata.annotations;
    expect(annotations["prometheus.io/scrape"]).toBe("true");
    expect(Number(annotations["prometheus.io/port"])).toBe(metricsPort);
    expect(annotations["prometheus.io/path"]).toBe("/metrics");
  });

  test("the image's ports and its default command agree with the Deployment", () => {
    const runtime = readDockerfile().at(-1)!;
    const exposed = (lastOf(runtime, "EXPOSE") ?? "").split(/\s+/).map(Number);
    expect(exposed).toEqual(expect.arrayContaining([portNamed("grpc"), portNamed("metrics")]));
    const defaults = serveFlags(execForm(runtime, "CMD"));
    for (const flag of ["backend", "host", "grpc-port", "metrics-port"]) expect(defaults[flag], flag).toBe(flags()[flag]);
  });

  test("requests and limits are set, and the pod runs as the image's non-root user", () => {
    const { requests, limits } = container().resources;
    for (const resource of ["cpu", "memory"]) {
      expect(requests[resource], resource).toBeDefined();
      expect(limits[resource], resource).toBeDefined();
    }
    const user = lastOf(readDockerfile().at(-1)!, "USER")!;
    const [uid] = user.split(":").map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(pod().spec.securityContext.runAsNonRoot).toBe(true);
    expect(pod().spec.securityContext.runAsUser).toBe(uid);
    expect(container().securityContext.allowPrivilegeEscalation).toBe(false);
  });

  test("the shutdown grace period covers the preStop pause and the front's drain", () => {
    const preStop = container().lifecycle.preStop.sleep.seconds;
    // startGrpcServer's default shutdownTimeoutMs.
    const drainSeconds = 10;
    expect(pod().spec.terminationGracePeriodSeconds).toBeGreaterThan(preStop + drainSeconds);
  });
});

describe("Service, PodDisruptionBudget, ServiceAccount", () => {
  test("the Service listens on 8000, the pods' gRPC port, headless so that round_robin reaches every replica", () => {
    const service = one("Service");
    const pod = one("Deployment").spec.template;
    expect(service.spec.selector).toEqual(pod.metadata.labels);
    expect(service.spec.clusterIP).toBe("None");
    expect(service.spec.ports).toHaveLength(1);
    const [port] = service.spec.ports;
    expect(port.port).toBe(8000);
    const target = pod.spec.containers[0].ports.find((p: { name: string; containerPort: number }) => p.name === port.targetPort || p.containerPort === port.targetPort);
    expect(target?.name).toBe("grpc");
    // A headless Service's clients dial the pod's IP at the Service's port: it must be the container's.
    expect(target?.containerPort).toBe(port.port);
  });

  test("the PodDisruptionBudget keeps one of the two replicas", () => {
    const pdb = one("PodDisruptionBudget");
    const deployment = one("Deployment");
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
  });

  test("every object is in one namespace, and the pods run as the annotated ServiceAccount", () => {
    expect(new Set(manifests.map((m) => m.metadata.namespace))).toEqual(new Set(["flyte"]));
    const account = one("ServiceAccount");
    expect(one("Deployment").spec.template.spec.serviceAccountName).toBe(account.metadata.name);
    expect(account.metadata.annotations?.["eks.amazonaws.com/role-arn"]).toMatch(/^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/);
  });

  test("kustomization.yaml lists every manifest", () => {
    const kustomization = parseAllDocuments(readFileSync(join(K8S_DIR, "kustomization.yaml"), "utf8"))[0]!.toJS() as { resources: string[] };
    const files = readdirSync(K8S_DIR).filter((file) => file.endsWith(".yaml") && file !== "kustomization.yaml");
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });
});

describe("IAM", () => {
  const policy = () =>
    JSON.parse(readFileSync(join(K8S_DIR, "front-iam-policy.json"), "utf8")) as {
      Statement: { Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }[];
    };

  test("the policy allows lambda:InvokeFunction on exactly the functions the front invokes", () => {
    const args = one("Deployment").spec.template.spec.containers[0].args as string[];
    const f = serveFlags(args);
    const account = /^arn:aws:iam::(\d{12}):/.exec(one("ServiceAccount").metadata.annotations!["eks.amazonaws.com/role-arn"]!)![1];
    const expected = operationNames.map((op) => `arn:aws:lambda:${String(f.region)}:${account}:function:${String(f["function-prefix"])}${op}`);

    const statements = policy().Statement;
    expect(statements).toHaveLength(1);
    const [statement] = statements;
    expect(statement!.Effect).toBe("Allow");
    expect([statement!.Action].flat()).toEqual(["lambda:InvokeFunction"]);
    expect([...[statement!.Resource].flat()].sort()).toEqual(expected.sort());
    // No wildcard anywhere: not even a prefix one, which would reach other functions of the same name prefix.
    expect(JSON.stringify(statement)).not.toContain("*");
  });

  test("the function prefix is what serverless.yml deploys for a stage", () => {
    const service = /^service:\s*(\S+)\s*$/m.exec(readFileSync(join(REPO_ROOT, "serverless.yml"), "utf8"))?.[1];
    const prefix = String(serveFlags(one("Deployment").spec.template.spec.containers[0].args)["function-prefix"]);
    expect(prefix).toMatch(new RegExp(`^${service}-[a-z0-9]+-$`));
  });

  test("the role trusts exactly this ServiceAccount through the cluster's OIDC provider", () => {
    const trust = JSON.parse(readFileSync(join(K8S_DIR, "front-trust-policy.json"), "utf8")) as {
      Statement: { Action: string; Condition: { StringEquals: Record<string, string> } }[];
    };
    const account = one("ServiceAccount");
    const [statement] = trust.Statement;
    expect(statement!.Action).toBe("sts:AssumeRoleWithWebIdentity");
    const conditions = Object.entries(statement!.Condition.StringEquals);
    expect(conditions.find(([key]) => key.endsWith(":sub"))?.[1]).toBe(`system:serviceaccount:${account.metadata.namespace}:${account.metadata.name}`);
    expect(conditions.find(([key]) => key.endsWith(":aud"))?.[1]).toBe("sts.amazonaws.com");
  });
});
