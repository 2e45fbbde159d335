/**
 * Probe for issue 22 (tasks on a thread inside a process-pool child): what one
 * round trip parent → child → parent costs when the child answers on its main
 * thread (today's process pool) and when a thread inside the child answers,
 * reached from the child's main thread by `postMessage` or by shared memory
 * (`Atomics.notify` / `Atomics.waitAsync`). No pool, no Effect: 4 bytes in,
 * 1 byte out on the pipes the process pool uses (stdin, file descriptor 3).
 *
 *     deno run -A bench/_child-thread-hop.ts
 *     bun bench/_child-thread-hop.ts
 *
 * Prints, per variant, the median over 5 runs of 2,000 sequential round trips
 * (after 500 to warm up), in µs, and its ratio to "main thread".
 */
import { spawn } from "node:child_process"
import { writeSync } from "node:fs"
import process from "node:process"
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads"

const VARIANTS = ["main thread", "thread, postMessage", "thread, Atomics"] as const
type Variant = typeof VARIANTS[number]
const self = new URL(import.meta.url)
const reply = new Uint8Array([9])
const keepAlive = () => setInterval(() => {}, 1 << 30)

/** Waits on `cell` of `cells` for every change, forever, calling `onChange` each time. */
const watch = (cells: Int32Array, cell: number, onChange: () => void) => {
  let seen = 0
  const next = (): void => {
    const wait = Atomics.waitAsync(cells, cell, seen)
    const go = () => (seen = Atomics.load(cells, cell), onChange(), next())
    if (wait.async) wait.value.then(go)
    else go()
  }
  next()
  keepAlive()
}

/** Child process, main thread: answers itself or through its thread. */
const child = (variant: Variant) => {
  if (variant === "main thread") return void process.stdin.on("data", () => writeSync(3, reply))
  const cells = new Int32Array(new SharedArrayBuffer(8))
  const thread = new Worker(self, { workerData: { variant, cells: cells.buffer } })
  if (variant === "thread, postMessage") {
    thread.on("message", () => writeSync(3, reply))
    process.stdin.on("data", () => thread.postMessage(0))
  } else {
    watch(cells, 1, () => writeSync(3, reply))
    process.stdin.on("data", () => (Atomics.add(cells, 0, 1), Atomics.notify(cells, 0)))
  }
}

/** Child process, its thread: echoes what the main thread hands it. */
const thread = ({ variant, cells }: { variant: Variant; cells: SharedArrayBuffer }) => {
  if (variant === "thread, postMessage") {
    return void parentPort!.on("message", () => parentPort!.postMessage(0))
  }
  const shared = new Int32Array(cells)
  watch(shared, 0, () => (Atomics.add(shared, 1, 1), Atomics.notify(shared, 1)))
}

/** Parent: one child per run, 2,000 sequential round trips timed. */
const measure = async (variant: Variant): Promise<number> => {
  const args = "Deno" in globalThis
    ? ["run", "-A", self.pathname, variant]
    : [self.pathname, variant]
  const proc = spawn(process.execPath, args, { stdio: ["pipe", "inherit", "inherit", "pipe"] })
  let answer: (() => void) | undefined
  proc.stdio[3]!.on("data", () => answer?.())
  const once = () =>
    new Promise<void>((resolve) => (answer = resolve, proc.stdin!.write(new Uint8Array(4))))
  for (let i = 0; i < 500; i++) await once()
  const start = performance.now()
  for (let i = 0; i < 2000; i++) await once()
  const us = (performance.now() - start) * 1000 / 2000
  proc.kill("SIGKILL")
  return us
}

const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[xs.length >> 1]

if (!isMainThread) thread(workerData)
else if (process.argv[2] !== undefined) child(process.argv[2] as Variant)
else if (import.meta.main) {
  const runs = new Map<Variant, Array<number>>(VARIANTS.map((v) => [v, []]))
  // Variants in turn, so a drift of the machine's speed touches them alike.
  for (let run = 0; run < 5; run++) for (const v of VARIANTS) runs.get(v)!.push(await measure(v))
  const base = median(runs.get("main thread")!)
  console.log(
    `${"Deno" in globalThis ? "deno" : "bun"}, load ${(await import("node:os")).loadavg()[0]}`,
  )
  for (const [v, us] of runs) {
    console.log(
      `${v.padEnd(22)} ${median(us).toFixed(1).padStart(7)} µs  ×${(median(us) / base).toFixed(2)}`,
    )
  }
  process.exit(0)
}
