/** Something drawn in the scheduler's rounds: a chart with live changes. */
export interface Drawable {
  /** Whether it has changes worth drawing now (charts scrolled out of view wait). */
  due(): boolean;
  /** Draws its changes, if it has any left. */
  draw(): void;
}

export interface DrawScheduler {
  /** Something became due: a round draws it soon. */
  schedule(): void;
  dispose(): void;
}

/** Live draws are coalesced: a chart is redrawn about this often at most, whatever the rate of points. */
const DRAW_INTERVAL_MS = 500;
/** Changes less than this apart are one burst (many runs logging at once reach us together): drawn after its end. */
const BURST_GAP_MS = 50;

/**
 * Live and zoom draws go in rounds. A round starts once changes have stopped coming for BURST_GAP_MS: a burst is
 * drawn once, after its messages are handled and while the sender (on a small machine, often the server next to
 * us) rests. A steady stream does not hold a round back more than DRAW_INTERVAL_MS, and a round starts no sooner
 * than that after the previous one. In a round the due drawables are drawn one per task, and outside the browser's
 * frames: ECharts updates and paints a chart's canvas here, and the next frame only rasterizes it (in a frame, as
 * with lazyUpdate, one task held both). The next one's turn comes after that frame; what changes meanwhile waits
 * for the next round.
 */
export function drawScheduler(drawables: () => Iterable<Drawable>): DrawScheduler {
  /** The next round, or the next drawable's turn in this round. */
  let timer: ReturnType<typeof setTimeout> | undefined;
  let frame: number | undefined;
  /** The drawables of the round under way, the one being drawn first; empty between rounds. */
  let queue: Drawable[] = [];
  let lastRoundAt = -Infinity;
  /** When the first change the next round will draw came. */
  let firstChangeAt: number | undefined;
  let disposed = false;

  const dueNow = () => [...drawables()].filter((drawable) => drawable.due());

  function schedule(): void {
    if (disposed || queue.length) return; // the round under way schedules the next when it ends
    const now = performance.now();
    firstChangeAt ??= now;
    const at = Math.max(lastRoundAt + DRAW_INTERVAL_MS, Math.min(now + BURST_GAP_MS, firstChangeAt + DRAW_INTERVAL_MS));
    clearTimeout(timer);
    timer = setTimeout(startRound, at - now);
  }

  function startRound(): void {
    lastRoundAt = performance.now();
    firstChangeAt = undefined;
    queue = dueNow();
    if (queue.length) drawNext();
  }

  function drawNext(): void {
    queue[0].draw();
    queue.shift();
    if (queue.length) {
      frame = requestAnimationFrame(() => {
        frame = undefined;
        timer = setTimeout(drawNext);
      });
    } else if (dueNow().length) {
      schedule();
    }
  }

  return {
    schedule,
    dispose: () => {
      disposed = true;
      clearTimeout(timer);
      if (frame !== undefined) cancelAnimationFrame(frame);
    },
  };
}
