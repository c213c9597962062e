import { describe, expect, test } from "vitest";
import { Phase, convertToFlytePhase, isTerminalPhase } from "../../lib/connector/phase.js";
import { flyteidl } from "../../lib/idl/index.js";

describe("Phase", () => {
  test("is flyteidl's TaskExecution.Phase", () => {
    expect(Phase).toBe(flyteidl.core.TaskExecution.Phase);
    expect(Phase.SUCCEEDED).toBe(3);
  });
});

describe("isTerminalPhase", () => {
  test("is true for SUCCEEDED, ABORTED and FAILED only, as in flytekit", () => {
    const phases = Object.values(Phase).filter((value): value is Phase => typeof value === "number");
    expect(phases).toHaveLength(9);
    expect(phases.filter(isTerminalPhase).sort()).toEqual([Phase.SUCCEEDED, Phase.ABORTED, Phase.FAILED]);
  });
});

describe("convertToFlytePhase", () => {
  const table: [string, Phase][] = [
    ...["failed", "timeout", "timedout", "canceled", "cancelled", "skipped"].map(
      (state): [string, Phase] => [state, Phase.FAILED],
    ),
    // flytekit/extend/backend/utils.py (1.16): internal_error is RETRYABLE_FAILED.
    ["internal_error", Phase.RETRYABLE_FAILED],
    ...["done", "succeeded", "success", "completed"].map((state): [string, Phase] => [state, Phase.SUCCEEDED]),
    ["running", Phase.RUNNING],
    ["terminating", Phase.RUNNING],
    ["pending", Phase.INITIALIZING],
  ];

  test.each(table)("maps %s to phase %i, in any case", (state, phase) => {
    expect(convertToFlytePhase(state)).toBe(phase);
    expect(convertToFlytePhase(state.toUpperCase())).toBe(phase);
    expect(convertToFlytePhase(state.charAt(0).toUpperCase() + state.slice(1))).toBe(phase);
  });

  test.each([
    ["QUEUED", "Unrecognized state: queued"],
    ["", "Unrecognized state: "],
    [" running", "Unrecognized state:  running"],
    ["toString", "Unrecognized state: tostring"],
  ])("rejects %j", (state, message) => {
    expect(() => convertToFlytePhase(state)).toThrow(new Error(message));
  });
});
