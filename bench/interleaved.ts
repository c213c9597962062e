/**
 * How every fresh-process suite samples its cases: round after round, each case once per round,
 * so drift in a shared machine's speed hits every case alike. The first rounds are not recorded:
 * the page cache holds every file afterwards, as it would on a warm host.
 */
export interface Rounds {
  /** Recorded rounds. */
  readonly runs: number;
  /** Unrecorded rounds before them. */
  readonly priming: number;
}

/** Each case's samples from the recorded rounds, in the cases' order; `sample` checks its own answer (every round). */
export async function interleaved<C, S>(cases: readonly C[], rounds: Rounds, sample: (c: C) => Promise<S>): Promise<S[][]> {
  const samples = cases.map((): S[] => []);
  for (let round = 0; round < rounds.priming + rounds.runs; round += 1) {
    for (const [index, c] of cases.entries()) {
      const taken = await sample(c);
      if (round >= rounds.priming) samples[index]!.push(taken);
    }
  }
  return samples;
}
