/**
 * The status of a running task for a person watching: on a terminal, a block redrawn in place
 * (spinner, task, phase, elapsed time, message, log links); elsewhere (a pipe, a CI log), one
 * line per change of phase. `finish` leaves only a final summary behind.
 */
import { Phase } from "../connector/phase.js";
import type { flyteidl } from "../idl/index.js";
import type { TaskStatus } from "./executor.js";

/** The part of a stream the display needs (process.stderr, or a test double). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressDisplayOptions {
  readonly stream: ProgressStream;
  /** What the task is, e.g. `sleep_v0`. */
  readonly title: string;
  /** Redraw in place (default: whether the stream is a terminal). */
  readonly live?: boolean;
  /** Between two frames of the live display (default 80 ms). */
  readonly frameMs?: number;
  readonly now?: () => number;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const ESC = "\u001b[";
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;

export class ProgressDisplay {
  readonly #stream: ProgressStream;
  readonly #title: string;
  readonly #live: boolean;
  readonly #now: () => number;
  readonly #started: number;
  readonly #timer: NodeJS.Timeout | undefined;
  #state = "starting";
  #message = "";
  #logLinks: readonly flyteidl.core.ITaskLog[] = [];
  #printedLinks = new Set<string>();
  #frame = 0;
  #drawnLines = 0;
  #finished = false;

  constructor(options: ProgressDisplayOptions) {
    this.#stream = options.stream;
    this.#title = options.title;
    this.#live = options.live ?? options.stream.isTTY === true;
    this.#now = options.now ?? Date.now;
    this.#started = this.#now();
    if (this.#live) {
      this.#stream.write(HIDE_CURSOR);
      this.#draw();
      this.#timer = setInterval(() => {
        this.#frame++;
        this.#draw();
      }, options.frameMs ?? 80);
      // The display never keeps a finished program alive.
      this.#timer.unref();
    } else {
      this.#print(`${this.#title}: ${this.#state}`);
    }
  }

  /** A new status from the executor. */
  update(status: TaskStatus): void {
    this.#show(phaseName(status.phase), status.message, status.logLinks);
  }

  /** A state the client is in rather than the task, e.g. `cancelling`. */
  note(state: string): void {
    this.#show(state, this.#message, this.#logLinks);
  }

  /**
   * Stops redrawing and leaves one summary line (plus the log links) behind; on a pipe, only when
   * the last line printed does not already say how it ended. Later calls do nothing.
   */
  finish(outcome: { readonly succeeded: boolean; readonly state: string; readonly message?: string }): void {
    if (this.#finished) return;
    this.#finished = true;
    clearInterval(this.#timer);
    const mark = outcome.succeeded ? "✔" : "✖";
    const summary = `${mark} ${this.#title} ${outcome.state} in ${this.#elapsed()}${outcome.message ? `: ${outcome.message}` : ""}`;
    if (this.#live) {
      this.#stream.write(`${this.#erase()}${[summary, ...this.#linkLines(this.#logLinks)].join("\n")}\n${SHOW_CURSOR}`);
      this.#drawnLines = 0;
    } else {
      this.#printNewLinks(this.#logLinks);
      // The line of the last phase change already said it (a run that ended in its own phase).
      if (outcome.state !== this.#state) this.#print(summary);
    }
  }

  #show(state: string, message: string, logLinks: readonly flyteidl.core.ITaskLog[]): void {
    if (this.#finished) return;
    const changed = state !== this.#state;
    this.#state = state;
    this.#message = message;
    this.#logLinks = logLinks;
    if (this.#live) {
      this.#draw();
      return;
    }
    if (changed) this.#print(`${this.#title}: ${state} (${this.#elapsed()})${message ? ` ${message}` : ""}`);
    this.#printNewLinks(logLinks);
  }

  #draw(): void {
    const spinner = SPINNER[this.#frame % SPINNER.length];
    const head = `${spinner} ${this.#title}  ${this.#state}  ${this.#elapsed()}${this.#message ? `  ${this.#message}` : ""}`;
    const lines = [head, ...this.#linkLines(this.#logLinks)].map((line) => this.#fit(line));
    this.#stream.write(this.#erase() + lines.join("\n"));
    this.#drawnLines = lines.length;
  }

  /** Back to the first drawn line, cleared to the end of the screen. */
  #erase(): string {
    if (this.#drawnLines === 0) return "\r";
    const up = this.#drawnLines > 1 ? `${ESC}${this.#drawnLines - 1}A` : "";
    return `\r${up}${ESC}J`;
  }

  /** A line that wraps would break the count of lines to go back over: cut it to the terminal's width. */
  #fit(line: string): string {
    // A pseudo-terminal with no size set reports 0 columns.
    const width = (this.#stream.columns || 80) - 1;
    // Control characters in a message (newlines, escapes) would move the cursor behind our back.
    const chars = [...line.replace(/[\u0000-\u001f\u007f]+/g, " ")];
    return chars.length <= width ? chars.join("") : `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
  }

  #linkLines(logLinks: readonly flyteidl.core.ITaskLog[]): string[] {
    return logLinks.filter((link) => link.uri).map((link) => `  ${link.name ? `${link.name}: ` : "log: "}${link.uri}`);
  }

  #printNewLinks(logLinks: readonly flyteidl.core.ITaskLog[]): void {
    for (const line of this.#linkLines(logLinks)) {
      if (this.#printedLinks.has(line)) continue;
      this.#printedLinks.add(line);
      this.#print(line);
    }
  }

  #print(line: string): void {
    this.#stream.write(`${line}\n`);
  }

  #elapsed(): string {
    return formatElapsed(this.#now() - this.#started);
  }
}

function phaseName(phase: Phase): string {
  return Phase[phase] ?? `phase ${phase}`;
}

/** `0.4s`, `12.3s`, `2m05s`, `1h02m`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.floor(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")}m`;
}
