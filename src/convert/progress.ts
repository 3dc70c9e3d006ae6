/**
 * @module convert/progress
 * Progress of a conversion, and a one-line bar for a terminal: tensors, bytes, rate, ETA.
 */

/** Where a conversion stands; bytes are input bytes. */
export interface Progress {
  readonly tensorsDone: number;
  readonly tensors: number;
  readonly bytesDone: number;
  readonly bytes: number;
  /** Seconds since the start. */
  readonly seconds: number;
}

function size(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e3).toFixed(0)} kB`;
}

function clock(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** `[#####-----]  12/340 tensors  1.20 GB / 4.00 GB  310.0 MB/s  ETA 0:09` */
export function formatProgress(p: Progress, width = 24): string {
  const f = p.bytes > 0 ? Math.min(1, p.bytesDone / p.bytes) : 1;
  const filled = Math.round(f * width);
  const rate = p.seconds > 0 ? p.bytesDone / p.seconds : 0;
  const eta = rate > 0 ? (p.bytes - p.bytesDone) / rate : Number.POSITIVE_INFINITY;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.tensorsDone}/${p.tensors} tensors  ${size(p.bytesDone)} / ${size(p.bytes)}  ${size(rate)}/s  ETA ${clock(eta)}`;
}

/** A progress callback drawing the bar on `stream`, at most every `everyMs`; call `done` to end the line. */
export function progressBar(stream: NodeJS.WriteStream, everyMs = 200) {
  let last = 0;
  let drawn = false;
  return {
    update(p: Progress) {
      const now = Date.now();
      if (now - last < everyMs && p.bytesDone < p.bytes) return;
      last = now;
      drawn = true;
      stream.write(`\r${formatProgress(p)}\x1b[K`);
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}
