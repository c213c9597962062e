/**
 * The `sleep` demo connector (CONTRACT.md §6): an async task that finishes after a number of
 * seconds. Stateless, like every connector here: the start time and duration live in the meta.
 */
import {
  AsyncConnectorBase,
  type GetParams,
  type LogsParams,
  type TaskLogsPage,
  type TaskParams,
} from "../connector/connector.js";
import { Phase } from "../connector/phase.js";
import { Resource } from "../connector/resource.js";
import { defineResourceMeta, field } from "../connector/resource-meta.js";
import { flyteidl } from "../idl/index.js";
import { fromLiteral, structToJson, toLiteralMap } from "../literals/index.js";

export const SleepMetadata = defineResourceMeta("SleepMetadata", {
  /** Epoch seconds at create. */
  start_time: field.float(),
  duration: field.float(),
});
export type SleepMetadata = InstanceType<typeof SleepMetadata>;

const outputTypes = { seconds: { type: { simple: flyteidl.core.SimpleType.FLOAT } } };

export class SleepConnector extends AsyncConnectorBase<SleepMetadata> {
  constructor(private readonly now: () => number = Date.now) {
    super({ name: "Sleep Connector", taskTypeName: "sleep", metadataType: SleepMetadata });
  }

  create({ taskTemplate, inputs }: TaskParams): SleepMetadata {
    return new SleepMetadata({ start_time: this.now() / 1000, duration: requestedSeconds(taskTemplate, inputs) });
  }

  get(meta: SleepMetadata, _params: GetParams): Resource {
    const left = meta.start_time + meta.duration - this.now() / 1000;
    if (left > 0) {
      return new Resource({ phase: Phase.RUNNING, message: `Sleeping, ${left.toFixed(1)} s left.` });
    }
    return new Resource({
      phase: Phase.SUCCEEDED,
      message: `Slept ${meta.duration} s.`,
      outputs: toLiteralMap({ seconds: meta.duration }, outputTypes),
    });
  }

  /** Nothing runs anywhere, so there is nothing to stop: deleting always succeeds. */
  delete(): void {}

  /** One line per whole second slept so far, the last `lines` of them; no further pages. */
  override getLogs(meta: SleepMetadata, { lines }: LogsParams): TaskLogsPage {
    const slept = Math.min(meta.duration, Math.max(0, this.now() / 1000 - meta.start_time));
    const all = Array.from({ length: Math.floor(slept) }, (_, i) => `slept ${i + 1} of ${meta.duration} s`);
    return { token: "", results: lines > 0 ? all.slice(-lines) : all };
  }
}

/** Input `seconds` wins over `custom.seconds`; anything else is the task's error. */
function requestedSeconds(template: flyteidl.core.ITaskTemplate, inputs: flyteidl.core.ILiteralMap | null | undefined) {
  const input = inputs?.literals?.seconds;
  const value = input ? fromLiteral(input) : template.custom ? structToJson(template.custom).seconds : undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new Error(`sleep needs a number of seconds >= 0 as input "seconds" or custom.seconds, got ${JSON.stringify(value ?? null)}`);
  }
  return value;
}
