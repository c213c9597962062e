/** Small connectors for driving the gRPC front end to end with the in-process service. */
import { AsyncConnectorBase, SyncConnectorBase, type CallContext, type TaskParams } from "../../../lib/connector/connector.js";
import { Phase } from "../../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";
import { Resource } from "../../../lib/connector/resource.js";
import { defineResourceMeta, field } from "../../../lib/connector/resource-meta.js";

/** Answers its inputs as outputs, like the demo `echo`. */
export class MirrorConnector extends SyncConnectorBase {
  constructor() {
    super({ name: "Mirror Connector", taskTypeName: "mirror" });
  }
  do({ inputs }: TaskParams) {
    return new Resource({ phase: Phase.SUCCEEDED, outputs: inputs ?? {} });
  }
}

const ReadyAtMeta = defineResourceMeta("ReadyAtMeta", { ready_at: field.integer() });
type ReadyAtMeta = InstanceType<typeof ReadyAtMeta>;

/** RUNNING until `ready_at` (epoch ms, set `delayMs` after create) has passed, then SUCCEEDED; has logs. */
export class CountdownConnector extends AsyncConnectorBase<ReadyAtMeta> {
  readonly deleted: number[] = [];
  constructor(readonly delayMs = 100) {
    super({ name: "Countdown Connector", taskTypeName: "countdown", metadataType: ReadyAtMeta });
  }
  create() {
    return new ReadyAtMeta({ ready_at: Date.now() + this.delayMs });
  }
  get(meta: ReadyAtMeta) {
    if (Date.now() < Number(meta.ready_at)) return new Resource({ phase: Phase.RUNNING, message: "counting down" });
    return new Resource({ phase: Phase.SUCCEEDED, outputs: { done: true } });
  }
  delete(meta: ReadyAtMeta) {
    this.deleted.push(Number(meta.ready_at));
  }
  override getLogs() {
    return { token: "page-2", results: ["first line", "second line"] };
  }
}

/** Never answers create until its signal aborts (the caller's deadline). */
export class HangingConnector extends AsyncConnectorBase<ReadyAtMeta> {
  constructor() {
    super({ name: "Hanging Connector", taskTypeName: "hanging", metadataType: ReadyAtMeta });
  }
  create({ signal }: TaskParams) {
    return new Promise<ReadyAtMeta>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  }
  get() {
    return new Resource({ phase: Phase.RUNNING });
  }
  delete(_meta: ReadyAtMeta, _params: CallContext) {}
}

export function testRegistry(): ConnectorRegistry {
  return new ConnectorRegistry()
    .register(new MirrorConnector())
    .register(new CountdownConnector())
    .register(new HangingConnector());
}
