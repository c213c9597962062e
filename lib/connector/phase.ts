import { flyteidl } from "../idl/index.js";

/** flyteidl.core.TaskExecution.Phase, the phase every Resource carries. */
export const Phase = flyteidl.core.TaskExecution.Phase;
export type Phase = flyteidl.core.TaskExecution.Phase;
