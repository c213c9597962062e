/**
 * flytekit's SensorEngine (task type `sensor`, async; flytekit/sensor/sensor_engine.py) for the one
 * sensor that is not user Python: FileSensor (flytekit/sensor/file_sensor.py), which succeeds once
 * its input `path` exists. Any other sensor class runs the user's own `poke` in Python, which this
 * service cannot do. The meta is flytekit's SensorMetadata JSON, so metas pass both ways.
 */
import { AsyncConnectorBase, type GetParams, type TaskParams } from "../../connector/connector.js";
import { InvalidArgumentError } from "../../connector/errors.js";
import { Phase } from "../../connector/phase.js";
import { type JsonValue } from "../../connector/python-json.js";
import { pythonStr } from "../../connector/python-str.js";
import { Resource } from "../../connector/resource.js";
import { readCustom } from "./custom.js";
import { SensorMetadata } from "./meta.js";
import { pathExists } from "./path-exists.js";

export const SENSOR_TASK_TYPE = "sensor";
export const FILE_SENSOR_MODULE = "flytekit.sensor.file_sensor";
export const FILE_SENSOR_NAME = "FileSensor";

export class FileSensorConnector extends AsyncConnectorBase<SensorMetadata> {
  constructor() {
    super({ taskTypeName: SENSOR_TASK_TYPE, name: "Sensor", metadataType: SensorMetadata });
  }

  /** SensorEngine.create: the template's SensorMetadata, with the inputs as native values. */
  create(params: TaskParams): SensorMetadata {
    const custom = readCustom(params.taskTemplate);
    const sensorModule = custom["sensor_module"];
    const sensorName = custom["sensor_name"];
    checkFileSensor(sensorModule, sensorName);
    // A literal that is not the declared type is the caller's: inputValues says so (INVALID_ARGUMENT).
    const path = params.inputValues["path"];
    if (typeof path !== "string" || path === "") {
      throw new InvalidArgumentError(`FileSensor needs the input "path" (a string), got ${path === undefined ? "none" : JSON.stringify(String(path))}.`);
    }
    return new SensorMetadata({
      sensor_module: FILE_SENSOR_MODULE,
      sensor_name: FILE_SENSOR_NAME,
      sensor_config: custom["sensor_config"] ?? null,
      inputs: { path },
    });
  }

  async get(meta: SensorMetadata, params: GetParams): Promise<Resource> {
    checkFileSensor(meta.sensor_module, meta.sensor_name);
    const inputs = meta.inputs;
    const path = typeof inputs === "object" && inputs !== null && !Array.isArray(inputs) ? (inputs as Record<string, unknown>)["path"] : undefined;
    if (typeof path !== "string") throw new InvalidArgumentError('FileSensor meta has no input "path".');
    const check = await pathExists(path, params);
    if (check.exists) return new Resource({ phase: Phase.SUCCEEDED, message: `${path} exists.` });
    return new Resource({ phase: Phase.RUNNING, message: `Waiting for ${path} to exist${check.note ? `: ${check.note}` : ""}.` });
  }

  /** SensorEngine.delete: nothing runs remotely. */
  delete(): void {}
}

/** The sensor as flytekit names it: its custom's values as Python's str() writes them, a missing one None. */
function checkFileSensor(sensorModule: JsonValue | undefined, sensorName: JsonValue | undefined): void {
  if (sensorModule === FILE_SENSOR_MODULE && sensorName === FILE_SENSOR_NAME) return;
  throw new InvalidArgumentError(
    `Sensor ${JSON.stringify(`${pythonStr(sensorModule ?? null)}.${pythonStr(sensorName ?? null)}`)} runs user Python (its poke method), which this connector service cannot run; only ${FILE_SENSOR_MODULE}.${FILE_SENSOR_NAME} is served here. Serve other sensors with flytekit's connector.`,
  );
}
