import { formatBytes } from './byte-size';

export interface ProgressSnapshot {
  readonly entriesDone: number;
  readonly entriesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** What the entries are called (`entries`, `parts`). Default `entries`. */
  readonly unit?: string;
  /** Bytes done before this run (a resumed transfer); the rate and ETA count only this run's. */
  readonly bytesBefore?: number;
}

/**
 * A one-line progress bar (entries, bytes, rate, ETA) redrawn in place with `\r`, at most every
 * 100 ms. Only meant for a terminal; callers construct it when stderr is a TTY.
 */
export class ProgressBar {
  private readonly startedAt = Date.now();
  private lastDrawAt = 0;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { columns?: number },
    private readonly now: () => number = Date.now,
  ) {}

  update(p: ProgressSnapshot): void {
    const t = this.now();
    if (t - this.lastDrawAt < 100 && p.entriesDone < p.entriesTotal) return;
    this.lastDrawAt = t;
    this.out.write(`\r${renderProgress(p, (t - this.startedAt) / 1000, this.out.columns ?? 80)}\x1b[K`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}

export function renderProgress(p: ProgressSnapshot, elapsedSeconds: number, columns: number): string {
  const fraction = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.entriesTotal > 0 ? p.entriesDone / p.entriesTotal : 1;
  const rate = elapsedSeconds > 0 ? (p.bytesDone - (p.bytesBefore ?? 0)) / elapsedSeconds : 0;
  const eta = rate > 0 ? (p.bytesTotal - p.bytesDone) / rate : undefined;
  const text =
    ` ${String(Math.floor(fraction * 100)).padStart(3)}%  ${p.entriesDone}/${p.entriesTotal} ${p.unit ?? 'entries'}  ` +
    `${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}  ${formatBytes(rate)}/s  ETA ${eta === undefined ? '--:--' : formatDuration(eta)}`;
  const width = Math.max(10, Math.min(40, columns - text.length - 3));
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${text}`;
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
