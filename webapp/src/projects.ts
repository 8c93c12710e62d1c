export interface ProjectSummary {
  name: string;
  runCount: number;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The project list as HTML; names are user data, so they are escaped. */
export function projectListHtml(projects: ProjectSummary[]): string {
  if (projects.length === 0) return "<li>No projects yet: log a first run (see the README).</li>";
  return projects
    .map((p) => `<li>${escapeHtml(p.name)} <small>(${p.runCount} runs)</small></li>`)
    .join("");
}
