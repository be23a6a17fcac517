import { describe, expect, it } from "@jest/globals";
describe("toolchain", () => {
  it("runs ESM TypeScript", async () => {
    const { component } = await import("@xmpp/component");
    expect(typeof component).toBe("function");
  });
});
