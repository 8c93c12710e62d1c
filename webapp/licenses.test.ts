import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { build } from "vite";
import { thirdPartyNotices } from "./licenses";

// Builds a one-module app that bundles one npm package under the given license, as the webapp's build does.
async function bundleWith(license: string | undefined): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "licenses-"));
  roots.push(root);
  const dependency = join(root, "node_modules", "some-dependency");
  await mkdir(dependency, { recursive: true });
  await writeFile(join(dependency, "package.json"),
    JSON.stringify({ name: "some-dependency", version: "1.2.3", license, type: "module", main: "index.js" }));
  await writeFile(join(dependency, "LICENSE"), `The text of ${license}`);
  await writeFile(join(dependency, "index.js"), "export const answer = () => 42;");
  await writeFile(join(root, "main.js"), 'import { answer } from "some-dependency"; console.log(answer());');
  const notices = join(root, "dist", "THIRD-PARTY-NOTICES.txt");
  await build({
    root, configFile: false, logLevel: "silent", plugins: [thirdPartyNotices(notices)],
    build: { outDir: join(root, "dist"), lib: { entry: join(root, "main.js"), formats: ["es"] } },
  });
  return readFile(notices, "utf8");
}

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

describe("third-party notices", () => {
  it("lists a bundled package with its license text", async () => {
    const notices = await bundleWith("MIT");
    expect(notices).toContain("some-dependency 1.2.3\nLicense: MIT");
    expect(notices).toContain("The text of MIT");
  });

  it.each(["GPL-3.0-only", "AGPL-3.0-or-later", "LGPL-2.1-only", "SSPL-1.0"])("fails the build on %s",
    async (license) => {
      await expect(bundleWith(license)).rejects.toThrow(`Dependency "some-dependency" has a license (${license})`);
    });

  // npm's "UNLICENSED" means all rights reserved.
  it.each([undefined, "UNLICENSED"])("fails the build on a package under license %s", async (license) => {
    await expect(bundleWith(license)).rejects.toThrow('Dependency "some-dependency" does not specify any license');
  });
});
