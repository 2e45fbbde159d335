/**
 * `npm test`: the whole suite on Deno, then on Bun. Prints each runner's own
 * report, then one line summing both, `N passed, N failed`, and exits non-zero
 * if either runtime failed.
 *
 * Deno also runs every `@example` in lib/ (`deno test --doc`), so a lib
 * example that stops working fails the suite.
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import process from "node:process"

const root = new URL("..", import.meta.url).pathname
const bin = (name: string) => {
  const local = `${root}node_modules/.bin/${name}`
  return existsSync(local) ? local : name
}

interface Suite {
  readonly runtime: string
  readonly argv: ReadonlyArray<string>
  /** Reads [passed, failed, skipped] from the runner's closing lines. */
  readonly count: (out: string) => [number, number, number] | undefined
}

const num = (out: string, pattern: RegExp) => Number(out.match(pattern)?.[1] ?? 0)

const filters = process.argv.slice(2)
const suites: ReadonlyArray<Suite> = [
  {
    runtime: "deno",
    // --no-check: under `deno test` every Worker start type-checks its module graph again
    // (about 1 s each, and the executor tests start hundreds); `.ci/run` type-checks
    // everything, doc examples included, with `deno check --doc` beforehand.
    argv: [
      bin("deno"),
      "test",
      "-A",
      "--no-check",
      "--doc",
      ...(filters.length ? filters : ["lib/", "tests/"]),
    ],
    count: (out) => {
      const line = out.match(/^(?:ok|FAILED) \| .*$/m)?.[0]
      return line
        ? [num(line, /(\d+) passed/), num(line, /(\d+) failed/), num(line, /(\d+) ignored/)]
        : undefined
    },
  },
  {
    runtime: "bun",
    argv: [bin("bun"), "test", "--timeout", "120000", ...(filters.length ? filters : ["./tests"])],
    count: (out) =>
      /^\s*\d+ pass$/m.test(out)
        ? [num(out, /^\s*(\d+) pass$/m), num(out, /^\s*(\d+) fail$/m), num(out, /^\s*(\d+) skip$/m)]
        : undefined,
  },
]

const runSuite = (suite: Suite) =>
  new Promise<{ out: string; code: number | null }>((resolve) => {
    const [exe, ...args] = suite.argv
    console.log(`\n=== ${suite.runtime}: ${suite.argv.slice(1).join(" ")}`)
    const child = spawn(exe, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let out = ""
    const tee = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
      out += chunk.toString()
      stream.write(chunk)
    }
    child.stdout.on("data", tee(process.stdout))
    child.stderr.on("data", tee(process.stderr))
    child.on("close", (code) => resolve({ out, code }))
  })

let passed = 0
let failed = 0
let skipped = 0
const verdicts: Array<string> = []
for (const suite of suites) {
  const { out, code } = await runSuite(suite)
  // deno-lint-ignore no-control-regex -- strip ANSI colours before reading the counts
  const counts = suite.count(out.replace(/\x1b\[[0-9;]*m/g, ""))
  if (!counts) {
    failed++
    verdicts.push(`${suite.runtime}: no test report (exit ${code})`)
    continue
  }
  const [p, f, s] = counts
  passed += p
  // A runner that exits non-zero with no failed test (a crash, a type error) counts as a failure.
  failed += f === 0 && code !== 0 ? 1 : f
  skipped += s
  verdicts.push(`${suite.runtime}: ${p} passed, ${f} failed, ${s} skipped (exit ${code})`)
}
console.log(`\n${verdicts.join("\n")}`)
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`)
process.exitCode = failed === 0 ? 0 : 1
