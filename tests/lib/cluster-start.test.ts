// Where the local cluster's Postgres can start (lib/cluster/postgres-files.ts):
// as root the server runs as `postgres`, which cannot enter a root-only clone,
// so its binaries are copied to a cache it can reach; where it cannot start at
// all, `make` fails at once and says why and what to do.
import { test } from "node:test"
import assert from "node:assert/strict"
import { execFileSync, spawn } from "node:child_process"
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import process from "node:process"
import {
  binariesFor,
  canReach,
  makeDataDir,
  serverUser,
  sweep,
} from "../../lib/cluster/postgres-files.ts"
import { fromRoot, scriptCommand } from "../../scripts/support.ts"
import { descendants, survivors } from "../fixtures/processes.ts"

const root = process.getuid?.() === 0
const asRoot = { skip: root ? false : "runs only as root (the server runs as `postgres` then)" }

/** A stand-in for the package's `native/` tree: `bin/initdb` prints `marker`. */
const fakeNative = (parent: string, marker: string): string => {
  const native = join(parent, "pkg", "native")
  mkdirSync(join(native, "bin"), { recursive: true })
  mkdirSync(join(native, "lib"))
  writeFileSync(join(parent, "pkg", "package.json"), JSON.stringify({ version: marker }))
  for (const bin of ["initdb", "postgres"]) {
    writeFileSync(join(native, "bin", bin), `#!/bin/sh\necho ${bin} ${marker}\n`, { mode: 0o755 })
  }
  writeFileSync(join(native, "lib", "libx.so.1.2"), "x")
  execFileSync("ln", ["-s", "libx.so.1.2", join(native, "lib", "libx.so.1")])
  return native
}

/** Runs `file` as `user` from `/`; its stdout. */
const runAs = (file: string, user: { uid: number; gid: number }) =>
  execFileSync(file, [], { uid: user.uid, gid: user.gid, cwd: "/", timeout: 10_000 }).toString()

test(
  "cluster start: from a directory only root may enter, the binaries go to a cache the server's user can run",
  asRoot,
  () => {
    const user = serverUser()!
    const clone = mkdtempSync(join(tmpdir(), "cluster-clone-"))
    const marker = `test-${process.pid}-${Date.now()}`
    let cache: string | undefined
    try {
      chmodSync(clone, 0o700)
      const native = fakeNative(clone, marker)
      assert.equal(canReach(join(native, "bin", "initdb"), user, 0o5), false)
      cache = binariesFor(native, user)
      assert.ok(!cache.startsWith(clone), cache)
      assert.ok(cache.includes(marker), "keyed by the package version")
      assert.equal(runAs(join(cache, "bin", "initdb"), user), `initdb ${marker}\n`)
      assert.equal(statSync(cache).uid, 0)
      assert.equal(statSync(cache).mode & 0o777, 0o755)
      // Used again as is.
      const made = statSync(cache).ino
      assert.equal(binariesFor(native, user), cache)
      assert.equal(statSync(cache).ino, made)
      // Tampered with (a file others may write, a changed binary): made again.
      chmodSync(join(cache, "bin", "postgres"), 0o777)
      writeFileSync(join(cache, "bin", "initdb"), "#!/bin/sh\necho evil\n")
      assert.equal(binariesFor(native, user), cache)
      assert.equal(runAs(join(cache, "bin", "initdb"), user), `initdb ${marker}\n`)
      assert.equal(statSync(join(cache, "bin", "postgres")).mode & 0o777, 0o755)
    } finally {
      rmSync(clone, { recursive: true, force: true })
      if (cache !== undefined) rmSync(cache, { recursive: true, force: true })
    }
  },
)

test("cluster start: the data directory is 0700 and the server's user's", asRoot, () => {
  const user = serverUser()!
  const dir = makeDataDir(user)
  try {
    const st = statSync(dir)
    assert.equal(st.mode & 0o777, 0o700)
    assert.equal(st.uid, user.uid)
    assert.equal(readFileSync(join(dir, "owner"), "utf8"), String(process.pid))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test(
  "cluster start: a TMPDIR the server's user cannot enter fails make at once, saying what to do",
  asRoot,
  async () => {
    const closed = mkdtempSync(join(tmpdir(), "cluster-tmpdir-"))
    chmodSync(closed, 0o700)
    try {
      const [exe, ...args] = scriptCommand(fromRoot("tests/fixtures/cluster-start.ts"))
      const child = spawn(exe, args, {
        env: { ...process.env, TMPDIR: closed },
        stdio: ["ignore", "pipe", "inherit"],
      })
      let out = ""
      child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c))
      const seen: Array<number> = []
      const watch = setInterval(() => seen.push(...descendants(child.pid!)), 50)
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000)
        child.on("close", (c) => {
          clearTimeout(timer)
          resolve(c)
        })
      })
      clearInterval(watch)
      assert.equal(code, 0, out)
      assert.match(out.trim(), /^ClusterUnavailableError: .*cannot enter the temporary directory/)
      assert.match(out, /set TMPDIR to a directory every user can enter/)
      assert.deepEqual(await survivors([...new Set(seen)]), [])
    } finally {
      rmSync(closed, { recursive: true, force: true })
    }
  },
)

/** A supervisor that is gone: 2^22 + 1, above any pid Linux gives. */
const GONE_PID = 4_194_305

test(
  "cluster start: a data directory a killed supervisor left as root (the server's user's) is swept",
  asRoot,
  () => {
    const dir = makeDataDir(serverUser()!)
    try {
      writeFileSync(join(dir, "owner"), String(GONE_PID))
      sweep()
      assert.equal(existsSync(dir), false)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  },
)

test("cluster start: a data directory whose supervisor lives is left alone", () => {
  const dir = makeDataDir(undefined)
  try {
    sweep()
    assert.equal(existsSync(dir), true)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("cluster start: plain-text password files a killed start left behind are swept", () => {
  const old = join(tmpdir(), `pg-password-test${process.pid}`)
  const young = join(tmpdir(), `pg-password-test${process.pid}y`)
  const dead = mkdtempSync(join(tmpdir(), "effect-asyncio-pg-"))
  try {
    writeFileSync(old, "secret\n")
    writeFileSync(young, "secret\n")
    const hourAgo = new Date(Date.now() - 3_600_000)
    utimesSync(old, hourAgo, hourAgo)
    // A data directory whose supervisor is gone.
    writeFileSync(join(dead, "owner"), String(GONE_PID))
    sweep()
    assert.equal(existsSync(old), false)
    assert.equal(existsSync(young), true, "one a start may be reading right now stays")
    assert.equal(existsSync(dead), false)
  } finally {
    for (const f of [old, young, dead]) rmSync(f, { recursive: true, force: true })
  }
})
