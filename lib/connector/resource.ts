// INTERFACE STUB — to be implemented (see helper task).
import type { flyteidl } from "../idl/index.js";
import type { Phase } from "./phase.js";

export interface ResourceInit {
  readonly phase: Phase;
  readonly message?: string | null;
  readonly logLinks?: readonly flyteidl.core.ITaskLog[] | null;
  /** A LiteralMap, or plain values converted with the template's declared output types. */
  readonly outputs?: flyteidl.core.ILiteralMap | Readonly<Record<string, unknown>> | null;
  readonly customInfo?: Readonly<Record<string, unknown>> | null;
}

export declare class Resource {
  constructor(init: ResourceInit);
  readonly phase: Phase;
  toFlyteIdl(outputTypes?: flyteidl.core.IVariableMap | null): flyteidl.admin.Resource;
  static fromFlyteIdl(resource: flyteidl.admin.IResource): Resource;
}
