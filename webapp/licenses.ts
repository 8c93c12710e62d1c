import license from "rollup-plugin-license";
import type { Plugin } from "vite";

/**
 * Licenses that npm packages bundled into the dashboard may have: permissive ones, whose notices
 * THIRD-PARTY-NOTICES.txt carries. Anything else fails the build; add a license here only after checking
 * that it allows shipping the code inside an MIT-licensed jar.
 */
export const ALLOWED_LICENSES = "(MIT OR ISC OR Apache-2.0 OR BSD-2-Clause OR BSD-3-Clause OR 0BSD OR CC0-1.0)";

/**
 * Writes the name, version, license and license text of every npm package whose code ends up in the
 * bundle (not the whole dependency tree: only modules rendered into a chunk) to `file`, and fails the build
 * on a package with no license or one outside ALLOWED_LICENSES.
 */
export function thirdPartyNotices(file: string): Plugin {
  return license({
    thirdParty: {
      allow: { test: ALLOWED_LICENSES, failOnUnlicensed: true, failOnViolation: true },
      output: {
        file,
        template: (dependencies) =>
          "Third-party software bundled into the Trackstack dashboard, with its licenses.\n\n" +
          dependencies
            .map((d) => [`${d.name} ${d.version}`, `License: ${d.license}`, d.homepage ?? repositoryUrl(d.repository),
              "", d.licenseText, d.noticeText].filter((line) => line != null).join("\n").trimEnd())
            .join("\n\n" + "-".repeat(80) + "\n\n") + "\n",
      },
    },
  }) as Plugin;
}

function repositoryUrl(repository: string | { url: string } | null): string | null {
  return typeof repository === "string" ? repository : (repository?.url ?? null);
}
