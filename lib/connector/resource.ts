/**
 * flytekit's Resource: what a connector's `get` or `do` returns — the task's phase, a message,
 * log links, outputs and custom info — and its flyteidl.admin.Resource form (docs/CONTRACT.md §5).
 */
import { flyteidl } from "../idl/index.js";
import { structFromJson, structToJson, toLiteralMap } from "../literals/index.js";
import { Phase } from "./phase.js";

/** How Flyte 2 shows a link (its TaskLog.link_type): a dashboard among the task's links, an IDE, else a log. */
export type LinkType = "external" | "dashboard" | "ide";

/** A log link; `linkType` reaches Flyte 2 only, as Flyte 1's TaskLog has no such field. */
export interface LogLink extends flyteidl.core.ITaskLog {
  readonly linkType?: LinkType;
}

export interface ResourceInit {
  readonly phase: Phase;
  readonly message?: string | null;
  readonly logLinks?: readonly LogLink[] | null;
  /** A LiteralMap, or plain values converted with the template's declared output types. */
  readonly outputs?: flyteidl.core.ILiteralMap | Readonly<Record<string, unknown>> | null;
  readonly customInfo?: Readonly<Record<string, unknown>> | null;
}

export class Resource {
  readonly phase: Phase;
  readonly message: string;
  readonly logLinks: readonly LogLink[];
  /** Null when the connector returned none (then FlytePropeller expects it wrote outputs.pb itself). */
  readonly outputs: flyteidl.core.ILiteralMap | Readonly<Record<string, unknown>> | null;
  readonly customInfo: Readonly<Record<string, unknown>> | null;

  constructor(init: ResourceInit) {
    this.phase = init.phase;
    this.message = init.message ?? "";
    this.logLinks = init.logLinks ?? [];
    this.outputs = init.outputs ?? null;
    this.customInfo = init.customInfo ?? null;
  }

  /**
   * The wire form. Plain outputs are converted with `outputVariables` (the template's
   * `interface.outputs`), so an integer output is an integer, never a float; without them their
   * types are inferred. Throws when the phase is missing or UNDEFINED: FlytePropeller would read
   * that as the deprecated state RETRYABLE_FAILURE and silently retry the task.
   */
  toFlyteIdl(outputVariables?: flyteidl.core.IVariableMap | null): flyteidl.admin.Resource {
    // A number: `Phase["SUCCEEDED"]` also reads, and a plain-JS phase "SUCCEEDED" would encode as UNDEFINED.
    const phaseName: string | undefined = typeof this.phase === "number" ? Phase[this.phase] : undefined;
    if (this.phase === Phase.UNDEFINED || phaseName === undefined) {
      const got = this.phase === undefined ? "none" : (phaseName ?? String(this.phase));
      throw new Error(`the connector returned no phase: a Resource needs a TaskExecution phase other than UNDEFINED (got ${got})`);
    }
    const variables = outputVariables?.variables ?? null;
    return new flyteidl.admin.Resource({
      phase: this.phase,
      message: this.message,
      logLinks: [...this.logLinks],
      outputs: this.outputs === null ? null : outputsToLiteralMap(this.outputs, variables),
      customInfo: this.customInfo === null ? null : structFromJson(this.customInfo, "customInfo"),
    });
  }

  /** A Resource read back from its wire form: outputs stay a LiteralMap, customInfo becomes JSON. */
  static fromFlyteIdl(resource: flyteidl.admin.IResource): Resource {
    const { outputs, customInfo } = resource;
    return new Resource({
      phase: resource.phase ?? Phase.UNDEFINED,
      message: resource.message ?? "",
      logLinks: resource.logLinks ?? [],
      outputs: outputs == null ? null : flyteidl.core.LiteralMap.fromObject(outputs),
      customInfo: customInfo == null ? null : structToJson(customInfo),
    });
  }
}

function outputsToLiteralMap(
  outputs: flyteidl.core.ILiteralMap | Readonly<Record<string, unknown>>,
  variables: Readonly<Record<string, flyteidl.core.IVariable>> | null,
): flyteidl.core.ILiteralMap {
  return isLiteralMap(outputs, variables) ? outputs : toLiteralMap(outputs, variables, "output");
}

/**
 * Whether outputs are already a LiteralMap: an instance, or an ILiteralMap-shaped object (only
 * the key `literals`, holding Literal-shaped objects) unless the task declares an output named
 * "literals", which makes it a plain value.
 */
function isLiteralMap(
  outputs: flyteidl.core.ILiteralMap | Readonly<Record<string, unknown>>,
  variables: Readonly<Record<string, flyteidl.core.IVariable>> | null,
): outputs is flyteidl.core.ILiteralMap {
  if (outputs instanceof flyteidl.core.LiteralMap) return true;
  const keys = Object.keys(outputs);
  if (keys.length !== 1 || keys[0] !== "literals") return false;
  if (variables !== null && Object.hasOwn(variables, "literals")) return false;
  const { literals } = outputs as { literals: unknown };
  return typeof literals === "object" && literals !== null && Object.values(literals).every(isLiteralShaped);
}

function isLiteralShaped(value: unknown): boolean {
  if (value instanceof flyteidl.core.Literal) return true;
  if (typeof value !== "object" || value === null) return false;
  const literal = value as flyteidl.core.ILiteral;
  return literal.scalar != null || literal.collection != null || literal.map != null || literal.offloadedMetadata != null;
}
