/** What the tree needs of a span. */
export interface TreeSpan {
  spanId: string;
  parentSpanId?: string | null;
}

export interface SpanNode<S extends TreeSpan> {
  span: S;
  depth: number;
  children: SpanNode<S>[];
}

/**
 * The spans of a trace as a tree, children in the order given (the API's: by start time). A span whose parent is
 * not in the trace (not received, or a parent chain that loops) is a root of its own.
 */
export function spanTree<S extends TreeSpan>(spans: S[]): SpanNode<S>[] {
  const nodes = new Map(spans.map((span) => [span.spanId, { span, depth: 0, children: [] } as SpanNode<S>]));
  const roots: SpanNode<S>[] = [];
  for (const node of nodes.values()) {
    const parent = node.span.parentSpanId ? nodes.get(node.span.parentSpanId) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const reached = new Set<SpanNode<S>>();
  const setDepths = (node: SpanNode<S>, depth: number) => {
    const stack: [SpanNode<S>, number][] = [[node, depth]];
    while (stack.length) {
      const [next, d] = stack.pop()!;
      reached.add(next);
      next.depth = d;
      for (const child of next.children) stack.push([child, d + 1]);
    }
  };
  roots.forEach((root) => setDepths(root, 0));
  // the spans of a loop are reached from none of the roots: the first of each loop becomes one, cut from its parent
  for (const node of nodes.values()) {
    if (reached.has(node)) continue;
    const parent = nodes.get(node.span.parentSpanId!)!;
    parent.children.splice(parent.children.indexOf(node), 1);
    roots.push(node);
    setDepths(node, 0);
  }
  return roots;
}

/** The nodes shown, depth first: all but the descendants of collapsed spans. */
export function visibleNodes<S extends TreeSpan>(roots: SpanNode<S>[], collapsed: ReadonlySet<string>): SpanNode<S>[] {
  const shown: SpanNode<S>[] = [];
  const stack = [...roots].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    shown.push(node);
    if (!collapsed.has(node.span.spanId)) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  return shown;
}

/** The spans above a span, so that selecting a hidden one can expand them. */
export function ancestors<S extends TreeSpan>(spans: ReadonlyMap<string, S>, spanId: string): string[] {
  const found: string[] = [];
  for (let id = spans.get(spanId)?.parentSpanId; id && spans.has(id) && !found.includes(id); id = spans.get(id)?.parentSpanId) found.push(id);
  return found;
}
