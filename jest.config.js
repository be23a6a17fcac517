// ESM TypeScript through @swc/jest (type-checking is `npm run typecheck`, run first by `npm test`).
const transform = {
  "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } }, module: { type: "es6" } }],
};
const common = {
  extensionsToTreatAsEsm: [".ts"],
  transform,
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testEnvironment: "node",
};
export default {
  // Real-peer tests start servers; jest reads testTimeout only at the top level.
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
    { ...common, displayName: "integration", testMatch: ["<rootDir>/test/integration/**/*.test.ts"], slowTestThreshold: 30 },
  ],
};
