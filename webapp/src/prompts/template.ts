/** A version's template: the text of a TEXT prompt, or the messages of a CHAT prompt. */
export interface Template {
  text?: string | null;
  messages?: { role: string; content: string }[] | null;
}

/** {{name}}, with spaces allowed inside the braces: the variables as the server and the clients find them. */
const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The template as one text to show and diff: a chat's messages each under a `[role]` line. */
export function templateText(template: Template): string {
  if (template.messages) return template.messages.map((m) => `[${m.role}]\n${m.content}`).join("\n\n");
  return template.text ?? "";
}

/** The text with each {{variable}} that `values` has replaced; the others are left as they are. */
export function compile(text: string, values: Record<string, string>): string {
  return text.replace(VARIABLE, (whole, name: string) => (Object.hasOwn(values, name) ? values[name] : whole));
}
