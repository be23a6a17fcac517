import { describe, expect, it } from "@jest/globals";
import { createRateLimiter } from "../../../../src/sip/transport/rate-limit.js";

describe("per-IP token bucket", () => {
  it("accepts a burst, answers 503 once, then drops until tokens refill", () => {
    let t = 0;
    const rl = createRateLimiter({ ratePerSecond: 10, burst: 3 }, () => t);
    const d = Array.from({ length: 6 }, () => rl.check("192.0.2.1"));
    expect(d).toEqual(["accept", "accept", "accept", "reject-503", "drop", "drop"]);
    t = 100; // one token back (10/s)
    expect(rl.check("192.0.2.1")).toBe("accept");
    // A new burst of refusals gets its own single 503.
    expect(rl.check("192.0.2.1")).toBe("reject-503");
    expect(rl.check("192.0.2.1")).toBe("drop");
  });

  it("keeps sources apart", () => {
    const rl = createRateLimiter({ ratePerSecond: 1, burst: 1 }, () => 0);
    expect(rl.check("192.0.2.1")).toBe("accept");
    expect(rl.check("192.0.2.2")).toBe("accept");
    expect(rl.check("192.0.2.1")).toBe("reject-503");
  });

  it("forgets idle sources so the map cannot grow without bound", () => {
    let t = 0;
    const rl = createRateLimiter({ ratePerSecond: 100, burst: 10 }, () => t);
    for (let i = 0; i < 1000; i++) rl.check(`10.0.${i >> 8}.${i & 255}`);
    expect(rl.size()).toBe(1000);
    t = 1000;
    rl.check("192.0.2.1");
    expect(rl.size()).toBe(1);
  });
});
