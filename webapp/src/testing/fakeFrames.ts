import { vi } from "vitest";

/** Vitest's fake timers, with animation frames (Node has none): one every 16 ms of the fake clock. */
export function useFakeTimersAndFrames(): void {
  vi.useFakeTimers();
  vi.stubGlobal("requestAnimationFrame", (callback: FrameRequestCallback) => setTimeout(() => callback(performance.now()), 16));
  vi.stubGlobal("cancelAnimationFrame", (id: ReturnType<typeof setTimeout>) => clearTimeout(id));
}

export function useRealTimersAndFrames(): void {
  vi.unstubAllGlobals();
  vi.useRealTimers();
}
