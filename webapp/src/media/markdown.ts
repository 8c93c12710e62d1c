/**
 * A minimal Markdown reader for logged text: headings, paragraphs, lists, fenced code, quotes, and inline code,
 * bold, italic and http(s) links. It answers a tree that the view turns into elements with text nodes only: the
 * user's text is never parsed as HTML (a `<b>` stays the four characters it is).
 */

export type Inline =
  | { kind: "text"; text: string }
  | { kind: "code"; text: string }
  | { kind: "strong" | "em"; children: Inline[] }
  | { kind: "link"; href: string; children: Inline[] };

export type Block =
  | { kind: "heading"; level: number; children: Inline[] }
  | { kind: "paragraph"; children: Inline[] }
  | { kind: "list"; ordered: boolean; items: Inline[][] }
  | { kind: "code"; text: string }
  | { kind: "quote"; children: Inline[] };

const LIST_ITEM = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length) blocks.push({ kind: "paragraph", children: parseInline(paragraph.join("\n")) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)/.exec(line);
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    const item = LIST_ITEM.exec(line);
    if (fence) {
      endParagraph();
      const code: string[] = [];
      while (++i < lines.length && !lines[i].trimStart().startsWith(fence[1])) code.push(lines[i]);
      blocks.push({ kind: "code", text: code.join("\n") });
    } else if (heading) {
      endParagraph();
      blocks.push({ kind: "heading", level: heading[1].length, children: parseInline(heading[2]) });
    } else if (item) {
      endParagraph();
      const ordered = item[2] !== undefined;
      const items: Inline[][] = [parseInline(item[3])];
      for (let next; i + 1 < lines.length && (next = LIST_ITEM.exec(lines[i + 1])) && (next[2] !== undefined) === ordered; i++) items.push(parseInline(next[3]));
      blocks.push({ kind: "list", ordered, items });
    } else if (line.startsWith(">")) {
      endParagraph();
      const quoted = [line.replace(/^>\s?/, "")];
      while (i + 1 < lines.length && lines[i + 1].startsWith(">")) quoted.push(lines[++i].replace(/^>\s?/, ""));
      blocks.push({ kind: "quote", children: parseInline(quoted.join("\n")) });
    } else if (!line.trim()) endParagraph();
    else paragraph.push(line);
  }
  endParagraph();
  return blocks;
}

/** `code`, **bold**, *italic* or _italic_, [text](http… or https…); anything else is text as written. */
const INLINE = /`([^`]+)`|\*\*(.+?)\*\*|\*([^*\s](?:[^*]*[^*\s])?)\*|\b_([^_]+)_\b|\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g;

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) out.push({ kind: "text", text: text.slice(last, match.index) });
    const [, code, strong, em, underscored, label, href] = match;
    if (code !== undefined) out.push({ kind: "code", text: code });
    else if (strong !== undefined) out.push({ kind: "strong", children: parseInline(strong) });
    else if (em !== undefined || underscored !== undefined) out.push({ kind: "em", children: parseInline(em ?? underscored) });
    else out.push({ kind: "link", href, children: parseInline(label) });
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push({ kind: "text", text: text.slice(last) });
  return out;
}
