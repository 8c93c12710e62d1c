import { h } from "../ui/dom";
import { boxLabel, classColor, parseOverlays, type Mask } from "./overlays";

export interface ZoomedImage {
  url: string;
  width: number;
  height: number;
  overlays?: unknown;
  /** Whose and which step, over the image. */
  title: string;
  caption?: string | null;
}

/** A zoomed image is at least this large on its longer side. */
const MIN_ZOOMED_PX = 480;

/** An image at full size (scaled down to the window when larger) in a modal dialog, its boxes and masks drawn over it. */
export function openZoom(image: ZoomedImage): void {
  // a small image (a 28×28 digit) is scaled up, its pixels kept sharp; a large one fits the window (CSS)
  const scale = Math.max(1, MIN_ZOOMED_PX / Math.max(image.width, image.height));
  const { boxes, masks } = parseOverlays(image.overlays);
  const layer = h("div", { className: "zoom-overlays" },
    ...boxes.map((box) => h("div", {
      className: "zoom-box",
      style: `left:${box.x * 100}%;top:${box.y * 100}%;width:${box.width * 100}%;height:${box.height * 100}%`,
    }, boxLabel(box) ? h("span", {}, boxLabel(box)) : "")));
  const classes = new Map<string, string>();
  masks.forEach((mask) => {
    Object.entries(mask.classes).forEach(([id, name]) => classes.set(id, name));
    maskCanvas(mask).then((canvas) => layer.prepend(canvas), () => layer.prepend(h("p", { className: "muted" }, "A mask could not be read.")));
  });
  const shown = h("input", { type: "checkbox", checked: true, onchange: () => (layer.hidden = !shown.checked) });
  const close = h("button", { type: "button", "aria-label": "Close", onclick: () => dialog.close() }, "×");
  const dialog = h("dialog", { className: "media-zoom", "aria-label": image.title },
    h("div", { className: "zoom-head" }, h("strong", {}, image.title), h("span", { className: "muted" }, `${image.width} × ${image.height}`),
      boxes.length || masks.length ? h("label", {}, shown, " Overlays") : "", close),
    h("div", { className: "zoom-stage" }, h("img", {
      src: image.url, alt: image.caption ?? image.title, className: scale > 1 ? "pixelated" : "",
      style: `width:${Math.round(image.width * scale)}px`,
    }), layer),
    classes.size ? h("ul", { className: "zoom-classes" }, ...[...classes].map(([id, name]) =>
      h("li", {}, h("span", { className: "swatch", style: `background:${classColor(Number(id))}` }), name))) : "",
    image.caption ? h("p", { className: "media-caption" }, image.caption) : "");
  // a click on the backdrop (outside the dialog's box) closes it, as Escape does
  dialog.addEventListener("click", (event) => event.target === dialog && dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/** A mask as a canvas of its own size (stretched over the image by CSS): each class in its colour, class 0 clear. */
async function maskCanvas(mask: Mask): Promise<HTMLCanvasElement> {
  const image = new Image();
  image.src = `data:image/png;base64,${mask.data}`;
  await image.decode();
  const canvas = h("canvas", { className: "zoom-mask", width: image.naturalWidth, height: image.naturalHeight });
  const context = canvas.getContext("2d")!;
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  const rgb = classRgb();
  for (let i = 0; i < pixels.data.length; i += 4) {
    const id = pixels.data[i];
    const [r, g, b] = id ? rgb(id) : [0, 0, 0];
    pixels.data.set([r, g, b, id ? 120 : 0], i);
  }
  context.putImageData(pixels, 0, 0);
  return canvas;
}

/** A class id's colour as RGB, parsed once per colour. */
function classRgb(): (id: number) => number[] {
  const parsed = new Map<string, number[]>();
  return (id) => {
    const color = classColor(id);
    if (!parsed.has(color)) parsed.set(color, [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16)));
    return parsed.get(color)!;
  };
}
