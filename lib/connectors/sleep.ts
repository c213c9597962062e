/**
 * The `sleep` demo connector (docs/CONTRACT.md §6): an async task that finishes after a number of
 * seconds. Stateless, like every connector here: the start time and duration live in the meta.
 */
import {
  AsyncConnectorBase,
  type GetParams,
  type LogsParams,
  type TaskLogsPage,
  type TaskParams,
} from "../connector/connector.js";
import { errorMessage, InvalidArgumentError } from "../connector/errors.js";
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

/** The most lines one GetTaskLogs page of a sleep task holds. */
export const SLEEP_MAX_LOG_LINES = 1000;

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

  /**
   * One line per whole second slept so far, the last `lines` of them and at most
   * SLEEP_MAX_LOG_LINES (a meta is the caller's to forge, with a duration of years); no further
   * pages. Only the lines answered are made.
   */
  override getLogs(meta: SleepMetadata, { lines }: LogsParams): TaskLogsPage {
    const slept = Math.floor(Math.min(meta.duration, Math.max(0, this.now() / 1000 - meta.start_time)));
    // A forged meta's negative or NaN duration counts as nothing slept.
    const count = Math.max(0, Math.min(slept, lines > 0 ? lines : slept, SLEEP_MAX_LOG_LINES)) || 0;
    const results = Array.from({ length: count }, (_, i) => `slept ${slept - count + i + 1} of ${meta.duration} s`);
    return { token: "", results };
  }
}

/**
 * Input `seconds` wins over `custom.seconds`, unless it is None (an Optional input left out);
 * anything else is the caller's mistake (INVALID_ARGUMENT).
 */
function requestedSeconds(template: flyteidl.core.ITaskTemplate, inputs: flyteidl.core.ILiteralMap | null | undefined) {
  const input = inputs?.literals?.seconds;
  let value: unknown;
  try {
    value = (input ? fromLiteral(input) : null) ?? (template.custom ? structToJson(template.custom).seconds : undefined);
  } catch (error) {
    throw new InvalidArgumentError(`sleep cannot read its seconds: ${errorMessage(error)}`, { cause: error });
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(
      `sleep needs a number of seconds >= 0 as input "seconds" or custom.seconds, got ${typeof value === "bigint" ? value : JSON.stringify(value ?? null)}`,
    );
  }
  return value;
}
