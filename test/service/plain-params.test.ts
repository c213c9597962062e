/** create and do receive `custom` and `inputValues` as plain values through the service. */
import { describe, expect, test } from "vitest";
import { AsyncConnectorBase, SyncConnectorBase, type TaskParams } from "../../lib/connector/connector.js";
import { Status } from "../../lib/connector/errors.js";
import { Phase } from "../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { Resource } from "../../lib/connector/resource.js";
import { defineResourceMeta, field } from "../../lib/connector/resource-meta.js";
import { flyteidl } from "../../lib/idl/index.js";
import { toLiteralMap } from "../../lib/literals/index.js";
import { ConnectorService } from "../../lib/service/service.js";
import { taskTemplate } from "../../lib/testing/index.js";
import { rejection } from "../support/rejection.js";

const Meta = defineResourceMeta("Meta", { label: field.string() });
type Meta = InstanceType<typeof Meta>;

/** Reads the plain values when `plain` is set, else only the raw template. */
class Recorder extends AsyncConnectorBase<Meta> {
  seen: { custom: unknown; inputValues: unknown } | undefined;
  constructor(private readonly plain: boolean) {
    super({ name: "Recorder", taskTypeName: plain ? "plain" : "raw", metadataType: Meta });
  }
  create(params: TaskParams): Meta {
    if (this.plain) this.seen = { custom: params.custom, inputValues: params.inputValues };
    return new Meta({ label: params.taskTemplate.type ?? "" });
  }
  get(): Resource {
    return new Resource({ phase: Phase.SUCCEEDED });
  }
  delete(): void {}
}

/** Answers `greeting` from custom and the input `name`, as plain values both ways. */
class Greeter extends SyncConnectorBase {
  constructor() {
    super({ name: "Greeter", taskTypeName: "greet" });
  }
  do({ custom, inputValues }: TaskParams): Resource {
    return new Resource({ phase: Phase.SUCCEEDED, outputs: { greeting: `${String(custom["greeting"])}, ${String(inputValues["name"])}` } });
  }
}

const inputsOf = (template: flyteidl.core.TaskTemplate, values: Record<string, unknown>) =>
  toLiteralMap(values, template.interface!.inputs!.variables, "input");
/** A string where the template declares an integer. */
const wrongCount = { literals: { count: { scalar: { primitive: { stringValue: "many" } } } } };

function setup() {
  const plain = new Recorder(true);
  const service = new ConnectorService(new ConnectorRegistry().register(plain).register(new Recorder(false)).register(new Greeter()));
  return { plain, service };
}

describe("plain custom and inputs", () => {
  test("create receives template.custom as JSON and the inputs as their declared types", async () => {
    const { plain, service } = setup();
    const template = taskTemplate({ type: "plain", custom: { region: "eu", limit: 5 }, inputs: { count: "integer", tags: { collectionType: { simple: flyteidl.core.SimpleType.STRING } } } });
    await service.createTask({ template, outputPrefix: "", inputs: inputsOf(template, { count: 7, tags: ["a", "b"] }) });
    expect(plain.seen).toEqual({ custom: { region: "eu", limit: 5 }, inputValues: { count: 7, tags: ["a", "b"] } });
  });

  test("do reads them and answers plain outputs", async () => {
    const { service } = setup();
    const template = taskTemplate({ type: "greet", custom: { greeting: "Hello" }, inputs: { name: "string" }, outputs: { greeting: "string" } });
    const [answer] = await service.executeTaskSync([
      { header: { template, outputPrefix: "" } },
      { inputs: inputsOf(template, { name: "Ada" }) },
    ]);
    expect(answer!.header!.resource!.outputs!.literals!["greeting"]!.scalar!.primitive!.stringValue).toBe("Hello, Ada");
  });

  test("an input that does not read as its declared type is INVALID_ARGUMENT for the connector that reads it", async () => {
    const { service } = setup();
    const template = taskTemplate({ type: "plain", inputs: { count: "integer" } });
    const error = await rejection(service.createTask({ template, outputPrefix: "", inputs: wrongCount }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toMatch(/^Cannot read the task's inputs: cannot read input "count" as integer/);
  });

  test("a connector that keeps to the raw inputs is not failed by them", async () => {
    const { service } = setup();
    const template = taskTemplate({ type: "raw", inputs: { count: "integer" } });
    const response = await service.createTask({ template, outputPrefix: "", inputs: wrongCount });
    expect(Meta.decode(response.resourceMeta).label).toBe("raw");
  });
});
