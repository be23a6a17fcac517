import { describe, expect, it } from "@jest/globals";
import { freePort } from "../support/peers/process.js";
describe("toolchain", () => {
  it("runs ESM TypeScript and finds free loopback ports", async () => {
    const a = await freePort();
    expect(a).toBeGreaterThan(1023);
  });
});
