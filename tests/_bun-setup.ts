// Preloaded by `bun test` (bunfig.toml): tests that start processes, pools and
// servers get the 120 s limit `npm test` gives them (tests/run.ts), not Bun's
// default of 5 s, so a plain `bun test` passes on a busy machine too.
const bunTest = "bun:test" // a variable: Deno does not resolve `bun:` specifiers
const { setDefaultTimeout } = await import(bunTest)
setDefaultTimeout(120_000)
