/** The `echo` demo connector (docs/CONTRACT.md §6): a sync task whose outputs are its inputs. */
import { SyncConnectorBase, type TaskParams } from "../connector/connector.js";
import { Phase } from "../connector/phase.js";
import { Resource } from "../connector/resource.js";

export class EchoConnector extends SyncConnectorBase {
  constructor() {
    super({ name: "Echo Connector", taskTypeName: "echo" });
  }

  do({ inputs }: TaskParams): Resource {
    return new Resource({ phase: Phase.SUCCEEDED, outputs: { literals: inputs?.literals ?? {} } });
  }
}
