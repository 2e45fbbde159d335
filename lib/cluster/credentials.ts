/**
 * What a member of a task cluster proves itself with: the cluster's CA
 * certificate, its own certificate and key (mutual TLS between members), and
 * the secret that signs every task message. Internal to
 * `effect-asyncio/cluster`.
 *
 * A real cluster's members read them from a TLS directory made by certs.ts
 * (`ca.crt`, `cert.pem`, `key.pem`, `secret`), the secret possibly from
 * elsewhere (a file, or the environment). The local default makes throwaway
 * ones in a private temporary directory (0700, files 0600) that lives as
 * long as the scope; a directory left by a program killed with SIGKILL is
 * removed by its runners as they follow it, or by the next local cluster.
 *
 * Secrets never travel on a command line, where `ps` shows them to every
 * user: children get the directory's path and, through the environment
 * (readable by their own user only), the database URL.
 *
 * @module
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import process from "node:process"
import { Data, Effect, type Scope } from "effect"
import { issueCertificate, makeCa, makeSecret, TLS_FILES, writeMemberDir } from "./certs.ts"
import { isAlive } from "../internal/alive.ts"

/** A member's TLS material and the cluster's message-signing secret. */
export interface ClusterCredentials {
  /** PEM of the cluster's CA certificate. */
  readonly ca: string
  /** PEM of this member's certificate and key. */
  readonly cert: string
  readonly key: string
  /** The shared secret (hex or any text; at least 16 characters). */
  readonly secret: string
}

/** The TLS directory or the secret is missing, unreadable or readable by others. */
export class ClusterCredentialsError extends Data.TaggedError("ClusterCredentialsError")<{
  readonly message: string
}> {}

/** Environment variables members read their settings from (never the command line). */
export const ENV = {
  /** The TLS directory (as `--tls-dir`). */
  tlsDir: "EFFECT_ASYNCIO_CLUSTER_TLS_DIR",
  /** The secret itself (instead of `<tls dir>/secret`). */
  secret: "EFFECT_ASYNCIO_CLUSTER_SECRET",
  /** The Postgres URL, which may hold a password (as `--database-url`). */
  databaseUrl: "EFFECT_ASYNCIO_CLUSTER_DATABASE_URL",
} as const

/** Reads `path`; when `private`, refuses a file others may read, as ssh does with keys. */
const readPart = (path: string, what: string, secret: boolean): string => {
  let text: string
  try {
    if (secret && (statSync(path).mode & 0o077) !== 0) {
      throw new ClusterCredentialsError({
        message: `${what} ${path} may be read by other users: chmod 600 it`,
      })
    }
    text = readFileSync(path, "utf8")
  } catch (e) {
    if (e instanceof ClusterCredentialsError) throw e
    throw new ClusterCredentialsError({
      message: `cannot read ${what} ${path}: ${(e as Error).message}`,
    })
  }
  return text
}

/**
 * Reads a member's credentials from `tlsDir`; the secret is `secret` when
 * given (e.g. from the environment), else read from `secretFile`, else from
 * `<tlsDir>/secret`.
 */
export const readCredentials = (options: {
  readonly tlsDir: string
  readonly secret?: string | undefined
  readonly secretFile?: string | undefined
}): Effect.Effect<ClusterCredentials, ClusterCredentialsError> =>
  Effect.try({
    try: () => {
      const secret = (options.secret ??
        readPart(options.secretFile ?? join(options.tlsDir, TLS_FILES.secret), "the secret", true))
        .trim()
      if (secret.length < 16) {
        throw new ClusterCredentialsError({
          message: "the cluster secret is shorter than 16 characters",
        })
      }
      return {
        ca: readPart(join(options.tlsDir, TLS_FILES.ca), "the CA certificate", false),
        cert: readPart(join(options.tlsDir, TLS_FILES.cert), "the certificate", false),
        key: readPart(join(options.tlsDir, TLS_FILES.key), "the private key", true),
        secret,
      }
    },
    catch: (e) =>
      e instanceof ClusterCredentialsError
        ? e
        : new ClusterCredentialsError({ message: String(e) }),
  })

/** Name prefix of the local default's throwaway TLS directories. */
export const LOCAL_PREFIX = "effect-asyncio-cluster-"
/** The file in a throwaway TLS directory naming the program it belongs to. */
export const OWNER_FILE = "owner"

/** Removes throwaway TLS directories whose program is gone (killed before it could). */
export const sweepLocal = (): void => {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(LOCAL_PREFIX)) continue
    const path = join(tmpdir(), name)
    try {
      const owner = Number(readFileSync(join(path, OWNER_FILE), "utf8"))
      if (isAlive(owner)) continue
    } catch {
      // No owner file: one being made right now, or another user's (unreadable): leave young ones.
      try {
        if (Date.now() - statSync(path).mtimeMs < 60_000) continue
      } catch {
        continue
      }
    }
    rmSync(path, { recursive: true, force: true })
  }
}

/** Removes `dir` if it is this library's throwaway TLS directory of the program `owner`. */
export const removeLocal = (dir: string, owner: number): void => {
  try {
    if (!dir.startsWith(join(tmpdir(), LOCAL_PREFIX))) return
    if (Number(readFileSync(join(dir, OWNER_FILE), "utf8")) !== owner) return
    rmSync(dir, { recursive: true, force: true })
  } catch {
    // gone already
  }
}

/**
 * Throwaway credentials for a local cluster: a new CA, one certificate for
 * every local member (it names 127.0.0.1), a new secret, in a private
 * temporary directory removed when the scope closes.
 */
export const localCredentials: Effect.Effect<
  { readonly dir: string; readonly credentials: ClusterCredentials },
  ClusterCredentialsError,
  Scope.Scope
> = Effect.acquireRelease(
  Effect.try({
    try: () => {
      sweepLocal()
      const dir = mkdtempSync(join(tmpdir(), LOCAL_PREFIX))
      writeFileSync(join(dir, OWNER_FILE), String(process.pid), { mode: 0o600 })
      const ca = makeCa("effect-asyncio local cluster CA", 2)
      const member = issueCertificate(ca, "127.0.0.1", 2)
      const secret = makeSecret()
      writeMemberDir(dir, ca, member, secret)
      return { dir, credentials: { ca: ca.cert, cert: member.cert, key: member.key, secret } }
    },
    catch: (e) =>
      new ClusterCredentialsError({
        message: `cannot make the local cluster's credentials: ${(e as Error).message}`,
      }),
  }),
  ({ dir }) => Effect.sync(() => rmSync(dir, { recursive: true, force: true })),
)
