import type { CliIo } from './io';

/**
 * The progress of a sync on stderr: on a terminal one bar redrawn in place (objects, pages, rate,
 * ETA from `navigationCount`); otherwise plain lines, at most one a second. Each phase (the full
 * walk, then the changes) ends with its final figures on a line of its own.
 *
 * @example
 * const progress = new Progress(io.stderr, Date.now);
 * progress.update({ phase: 'full', objects: 500, pages: 5, total: 2000 });
 * progress.finish();
 */
export class Progress {
  private phaseStarted: number;
  private lastLine = Number.NEGATIVE_INFINITY;
  private last: ProgressState | undefined;
  // Whether the latest state is on screen (or in the log) already.
  private shown = true;

  constructor(
    private readonly stream: CliIo['stderr'],
    private readonly now: () => number,
  ) {
    this.phaseStarted = now();
  }

  update(state: ProgressState): void {
    if (this.last && this.last.phase !== state.phase) {
      this.endPhase();
      this.phaseStarted = this.now();
    }
    this.last = state;
    this.shown = false;
    if (this.stream.isTTY) {
      this.stream.write(`\r${this.render(state)}\x1b[K`);
      this.shown = true;
    } else if (this.now() - this.lastLine >= 1000) {
      this.lastLine = this.now();
      this.stream.write(`${this.render(state)}\n`);
      this.shown = true;
    }
  }

  /** Ends the bar: the last figures, on a line of their own. */
  finish(): void {
    if (this.last) this.endPhase();
    this.last = undefined;
  }

  private endPhase(): void {
    if (this.stream.isTTY) this.stream.write('\n');
    else if (!this.shown && this.last) this.stream.write(`${this.render(this.last)}\n`);
    this.shown = true;
    this.lastLine = Number.NEGATIVE_INFINITY;
  }

  private render(s: ProgressState): string {
    const seconds = Math.max((this.now() - this.phaseStarted) / 1000, 0.001);
    const rate = s.objects / seconds;
    const parts = [s.phase === 'full' ? 'full walk' : 'changes'];
    if (s.total !== undefined && s.total > 0) {
      const fraction = Math.min(s.objects / s.total, 1);
      if (this.stream.isTTY) {
        const width = 24;
        const filled = Math.round(fraction * width);
        parts.push(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`);
      }
      parts.push(`${s.objects}/${s.total} objects`, `${Math.round(fraction * 100)}%`);
    } else parts.push(`${s.objects} objects`);
    parts.push(`${s.pages} pages`, `${Math.round(rate)}/s`);
    if (s.total !== undefined && rate > 0 && s.objects < s.total) parts.push(`ETA ${formatSeconds((s.total - s.objects) / rate)}`);
    return parts.join('  ');
  }
}

/**
 * Where a sync is.
 *
 * @example
 * const state: ProgressState = { phase: 'changes', objects: 3, pages: 1, total: 3 };
 */
export interface ProgressState {
  phase: 'full' | 'changes';
  objects: number;
  pages: number;
  total: number | undefined;
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
}
