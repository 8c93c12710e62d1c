/** The widths the server scales images to (a blob link's `w`; ImageRenditions.WIDTHS in the backend). */
export const RENDITION_WIDTHS = [64, 96, 128, 160, 192, 256, 384, 512, 768, 1024];

/**
 * The link of an image (`width` pixels wide) for a box `shownPx` device pixels wide: the smallest rendition at least
 * that wide, or the image itself when none is narrower than it. A link of another host (an S3 presigned one) has no
 * renditions.
 */
export function sizedUrl(url: string, width: number, shownPx: number): string {
  const fit = RENDITION_WIDTHS.find((w) => w >= shownPx);
  if (!url.startsWith("/api/") || fit === undefined || fit >= width) return url;
  return `${url}${url.includes("?") ? "&" : "?"}w=${fit}`;
}

/** Device pixels of `cssPx` CSS pixels on this screen. */
export const devicePx = (cssPx: number) => Math.ceil(cssPx * (window.devicePixelRatio || 1));
