import { describe, expect, it } from "vitest";
import { isAddressedTo, matchNode } from "../../../src/celery/index";

describe("matchNode, kombu's glob and pcre matchers", () => {
  it("matches globs against the whole nodename, like fnmatch", () => {
    expect(matchNode("celery@web-1", "celery@*")).toBe(true);
    expect(matchNode("celery@web-1", "celery@web-?")).toBe(true);
    expect(matchNode("celery@web-12", "celery@web-?")).toBe(false);
    expect(matchNode("celery@web-1", "celery@web-[12]")).toBe(true);
    expect(matchNode("celery@web-3", "celery@web-[!12]")).toBe(true);
    expect(matchNode("celery@web-1", "celery@web-[!12]")).toBe(false);
    expect(matchNode("celery@web.1", "celery@web.1")).toBe(true);
    expect(matchNode("celery@webx1", "celery@web.1")).toBe(false);
    expect(matchNode("xcelery@a", "celery@*")).toBe(false);
  });

  it("anchors pcre at the start only, like re.match", () => {
    expect(matchNode("celery@web-1", "celery@web", "pcre")).toBe(true);
    expect(matchNode("celery@web-1", "web", "pcre")).toBe(false);
    expect(matchNode("celery@web-1", ".*web-\\d$", "pcre")).toBe(true);
  });

  it("matches nothing with an invalid expression or an unknown matcher", () => {
    expect(matchNode("celery@a", "(", "pcre")).toBe(false);
    expect(matchNode("celery@a", "celery@*", "regex")).toBe(false);
  });

  it("is what the worker uses to decide whether a request is addressed to it", () => {
    expect(isAddressedTo("celery@a", { pattern: "a", matcher: "pcre" })).toBe(false);
    expect(isAddressedTo("celery@a", { pattern: "cel", matcher: "pcre" })).toBe(true);
    expect(isAddressedTo("celery@a", { destination: ["celery@b"], pattern: "celery@*", matcher: "glob" })).toBe(false);
  });
});
