import { describe, expect, it } from "vitest";
import { sizedUrl } from "./renditions";

const LINK = "/api/v1/projects/p/blobs/ab?name=ab.png&expires=1&signature=s";

describe("image renditions", () => {
  it("asks for the smallest width at least as wide as the box", () => {
    expect(sizedUrl(LINK, 256, 152)).toBe(`${LINK}&w=160`);
    expect(sizedUrl(LINK, 256, 160)).toBe(`${LINK}&w=160`);
    expect(sizedUrl(LINK, 2000, 1)).toBe(`${LINK}&w=64`);
    expect(sizedUrl("/api/v1/projects/p/blobs/ab", 2000, 700)).toBe("/api/v1/projects/p/blobs/ab?w=768");
  });

  it("keeps the image itself when no rendition is narrower, or the link is another host's", () => {
    expect(sizedUrl(LINK, 256, 200)).toBe(LINK);
    expect(sizedUrl(LINK, 160, 152)).toBe(LINK);
    expect(sizedUrl(LINK, 4000, 1500)).toBe(LINK);
    const presigned = "https://bucket.s3.example/ab?X-Amz-Signature=x";
    expect(sizedUrl(presigned, 4000, 100)).toBe(presigned);
  });
});
