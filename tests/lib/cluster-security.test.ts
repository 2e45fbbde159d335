// ClusterExecutor against an outsider: someone on the machine who reads `ps` and
// world-readable files and connects to any port, a peer without the cluster's
// certificate, a member without its secret, a task from outside the allow-list.
// One local cluster (a Deno and a Bun runner) shared by the tests of this file;
// every attack that could run a task aims at a marker file that must never appear.
import { test } from "node:test"
import assert from "node:assert/strict"
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs"
import { spawnSync } from "node:child_process"
import * as net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import process from "node:process"
import * as tls from "node:tls"
import { pathToFileURL } from "node:url"
import { Cause, Effect, Exit, Layer, Scope } from "effect"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import { TaskRefusedError, workerFunction } from "effect-asyncio/executor"
import { ClusterCredentialsError, ClusterExecutor } from "effect-asyncio/cluster"
import { add } from "../fixtures/tasks.ts"
import { runPermission, touch, whereAmI } from "../fixtures/cluster-tasks.ts"
import { tlsDirsOf } from "../fixtures/processes.ts"
import { allowList } from "../../lib/cluster/allow.ts"
import { issueCertificate, makeCa, writeCluster } from "../../lib/cluster/certs.ts"
import { sharding, sqlLayer } from "../../lib/cluster/config.ts"
import { LOCAL_PREFIX, sweepLocal } from "../../lib/cluster/credentials.ts"
import { TaskEntity } from "../../lib/cluster/entity.ts"
import { makeSigner, makeVerifier } from "../../lib/cluster/signing.ts"
import { clusterLayer } from "../../lib/cluster/transport.ts"

const scope = Scope.makeUnsafe()
let started: Promise<ClusterExecutor> | undefined
const cluster = () =>
  started ??= Effect.runPromise(
    Scope.provide(scope)(ClusterExecutor.make({ runners: ["deno", "bun"], poolSize: 1 })),
  )

const work = mkdtempSync(join(tmpdir(), "cluster-attack-"))
let markers = 0
/** A path no task has written yet: the attack's target. */
const marker = () => join(work, `marker-${markers++}`)

const within = <A, E>(effect: Effect.Effect<A, E>, ms = 90_000) =>
  Effect.runPromiseExit(effect.pipe(Effect.timeoutOrElse({
    duration: ms,
    orElse: () => Effect.die(new Error(`no answer within ${ms} ms: it hangs`)),
  })))

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  assert.ok(Exit.isFailure(exit), "expected a failure")
  const error = Cause.findErrorOption(exit.cause)
  assert.ok(error._tag === "Some", `expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return error.value
}

/** Every process's command line, as `ps -eo args` shows them to any user. */
const commandLines = (): Array<string> =>
  readdirSync("/proc").filter((p) => /^\d+$/.test(p)).flatMap((pid) => {
    try {
      return [readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")]
    } catch {
      return []
    }
  })

/** The runners' ports, as an outsider reads them from `ps`. */
const runnerPorts = (c: ClusterExecutor): Array<number> =>
  c.runnerPids.map((pid) => {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")
    return Number(args[args.indexOf("--port") + 1])
  })

// --- Without a cluster: the pieces -----------------------------------------------------

test("cluster security: the allow-list takes the project, refuses node:, data:, https:, npm:, relative and neighbours", () => {
  const allowed = allowList(["/srv/app", "lodash", "node:path"])
  for (
    const ok of [
      "file:///srv/app/a.ts",
      "file:///srv/app/x/b.ts",
      "/srv/app/c.ts",
      "lodash",
      "lodash/fp",
      "node:path",
    ]
  ) {
    assert.equal(allowed(ok), undefined, ok)
  }
  for (
    const no of [
      "node:child_process",
      "node:path2",
      "data:text/javascript,export const f = () => 1",
      "blob:null/1",
      "https://example.com/x.ts",
      "http://example.com/x.ts",
      "npm:left-pad",
      "jsr:@std/fs",
      "./tasks.ts",
      "file:///srv/app-other/x.ts",
      "file:///srv/app/../etc/x.ts",
      "file:///srv/app/%2e%2e/etc/x.ts",
      "lodash-evil",
      "left-pad",
    ]
  ) {
    assert.ok(allowed(no) !== undefined, no)
  }
  assert.throws(() => allowList(["./relative"]), RangeError)
})

test("cluster security: a signature holds only under the secret, for that message, while fresh", () => {
  const sign = makeSigner("the cluster's secret, 32 chars..")
  const verify = makeVerifier("the cluster's secret, 32 chars..")
  const auth = sign("RunMany", ["[1]"])
  assert.match(verify("RunMany", ["[2]"], auth) ?? "", /signature/)
  assert.match(verify("RunBatch", ["[1]"], auth) ?? "", /signature/)
  assert.match(
    makeVerifier("another secret, just as long....")("RunMany", ["[1]"], auth) ?? "",
    /signature/,
  )
  assert.match(verify("RunMany", ["[1]"], "") ?? "", /not signed/)
  assert.equal(verify("RunMany", ["[1]"], auth), undefined)
  // An old message, even genuine, is refused.
  const realNow = Date.now
  Date.now = () => realNow() - 6 * 60_000
  const old = (() => {
    try {
      return sign("RunMany", ["[1]"])
    } finally {
      Date.now = realNow
    }
  })()
  assert.match(verify("RunMany", ["[1]"], old) ?? "", /s old/)
  // Fields cannot be shifted from one to the next.
  const two = sign("RunBatch", ["ab", "c"])
  assert.match(verify("RunBatch", ["a", "bc"], two) ?? "", /signature/)
})

test("cluster security: certs.ts writes a CA, per-host certificates and a secret, private", () => {
  const out = join(work, "tls")
  writeCluster(out, ["10.0.0.2", "runner-b"])
  for (const host of ["10.0.0.2", "runner-b"]) {
    assert.equal(statSync(join(out, host)).mode & 0o777, 0o700)
    for (const file of ["ca.crt", "cert.pem", "key.pem", "secret"]) {
      assert.equal(statSync(join(out, host, file)).mode & 0o777, 0o600, `${host}/${file}`)
    }
  }
  assert.equal(
    readFileSync(join(out, "10.0.0.2", "secret"), "utf8"),
    readFileSync(join(out, "runner-b", "secret"), "utf8"),
  )
  assert.ok(existsSync(join(out, "ca", "ca.key")))
  assert.ok(!existsSync(join(out, "10.0.0.2", "ca.key")), "the CA's key stays off the hosts")
})

test("cluster security: joining without a TLS directory fails with ClusterCredentialsError", async () => {
  const saved = process.env.EFFECT_ASYNCIO_CLUSTER_TLS_DIR
  delete process.env.EFFECT_ASYNCIO_CLUSTER_TLS_DIR
  try {
    const exit = await within(
      Effect.scoped(ClusterExecutor.make({ databaseUrl: "postgres://127.0.0.1:1/postgres" })),
    )
    const error = failureOf(exit)
    assert.ok(error instanceof ClusterCredentialsError)
    assert.match(error.message, /EFFECT_ASYNCIO_CLUSTER_TLS_DIR/)
  } finally {
    if (saved !== undefined) process.env.EFFECT_ASYNCIO_CLUSTER_TLS_DIR = saved
  }
})

test("cluster security: a throwaway TLS directory whose program died is swept at the next start", () => {
  // A pid that no longer runs: a child that has exited.
  const dead = spawnSync(process.execPath, ["--version"]).pid
  const left = mkdtempSync(join(tmpdir(), LOCAL_PREFIX))
  writeFileSync(join(left, "owner"), String(dead))
  writeFileSync(join(left, "secret"), "left behind by a killed program", { mode: 0o600 })
  const mine = mkdtempSync(join(tmpdir(), LOCAL_PREFIX))
  writeFileSync(join(mine, "owner"), String(process.pid))
  try {
    sweepLocal()
    assert.ok(!existsSync(left), "a dead program's directory was kept")
    assert.ok(existsSync(mine), "a live program's directory was swept")
  } finally {
    rmSync(left, { recursive: true, force: true })
    rmSync(mine, { recursive: true, force: true })
  }
})

// --- Against a running local cluster ---------------------------------------------------

test("cluster security: no secret in any command line; the credentials are private files", async () => {
  const c = await cluster()
  assert.ok(c.tlsDir !== undefined)
  const secret = readFileSync(join(c.tlsDir, "secret"), "utf8")
  const password = new URL(c.databaseUrl).password
  for (const line of commandLines()) {
    assert.ok(!line.includes(secret), `the secret shows in ps: ${line.slice(0, 120)}`)
    assert.ok(!line.includes(c.databaseUrl), `the database URL shows in ps: ${line.slice(0, 120)}`)
    assert.ok(!line.includes(`:${password}@`), `the password shows in ps`)
    // A random password must not show at all ("postgres", the old fixed one, is also a command name).
    if (password !== "postgres") assert.ok(!line.includes(password), `the password shows in ps`)
  }
  assert.equal(statSync(c.tlsDir).mode & 0o777, 0o700)
  for (const file of readdirSync(c.tlsDir)) {
    assert.equal(statSync(join(c.tlsDir, file)).mode & 0o777, 0o600, file)
  }
  // A runner drops the database URL from its environment before it starts workers: tasks never see it.
  const where = await within(
    Effect.forEach(Array.from({ length: 16 }), () => c.submit(whereAmI), { concurrency: 16 }),
  )
  if (Exit.isFailure(where)) assert.fail(Cause.pretty(where.cause))
  for (const { worker } of where.value) {
    const env = readFileSync(`/proc/${worker}/environ`, "utf8")
    assert.ok(!env.includes(c.databaseUrl), `worker ${worker} has the URL in its environment`)
  }
})

test("cluster security: a raw TCP client and a TLS client without the cluster's certificate get nothing through", async () => {
  const c = await cluster()
  const ports = runnerPorts(c)
  assert.equal(ports.length, 2)
  const stranger = issueCertificate(makeCa("stranger"), "127.0.0.1")
  const clusterCa = readFileSync(join(c.tlsDir!, "ca.crt"), "utf8")
  for (const port of ports) {
    // Plain TCP: whatever comes back is a TLS alert (record type 21), never a reply.
    const raw = await new Promise<Uint8Array>((resolve) => {
      const chunks: Array<Uint8Array> = []
      const socket = net.connect(
        port,
        "127.0.0.1",
        () => socket.write("\x00\x00\x00\x10hello, runner!!!"),
      )
      socket.on("data", (d: Uint8Array) => chunks.push(d))
      socket.on("error", () => {})
      socket.on("close", () => resolve(new Uint8Array(chunks.flatMap((c) => [...c]))))
      setTimeout(() => socket.destroy(), 10_000)
    })
    assert.ok(raw.length === 0 || raw[0] === 21, `port ${port} answered plain TCP`)
    // TLS with no certificate, and with one from another CA: the handshake fails.
    for (const identity of [{}, { cert: stranger.cert, key: stranger.key }]) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = tls.connect({ host: "127.0.0.1", port, ca: clusterCa, ...identity })
        socket.on("secureConnect", () => socket.write("hello"))
        socket.on("data", () => resolve("data"))
        socket.on("error", (e) => resolve(`error ${e.message}`))
        socket.on("close", () => resolve("closed"))
        setTimeout(() => resolve("timeout"), 10_000)
      })
      assert.ok(outcome.startsWith("error") || outcome === "closed", `port ${port}: ${outcome}`)
    }
  }
  // Even with the database and the secret, a cluster client over plain TCP or with a
  // stranger's certificate delivers nothing: the marker never appears.
  const secret = readFileSync(join(c.tlsDir!, "secret"), "utf8")
  const sign = makeSigner(secret)
  const plain = NodeClusterSocket.layer({
    clientOnly: true,
    storage: "sql",
    shardingConfig: sharding,
  })
  const foreign = clusterLayer({
    clientOnly: true,
    tls: { ca: clusterCa, cert: stranger.cert, key: stranger.key, secret },
    shardingConfig: sharding,
  })
  for (const layer of [plain, foreign]) {
    const target = marker()
    const calls = JSON.stringify([["k1", touch.module, touch.exportName, [target]]])
    const exit = await within(
      Effect.scoped(Effect.gen(function* () {
        const context = yield* Layer.build(
          (layer as typeof foreign).pipe(Layer.provide(sqlLayer(c.databaseUrl, 5_000))),
        )
        const client = yield* Effect.provideContext(TaskEntity.client, context as never)
        return yield* client("1").RunMany({ calls, auth: sign("RunMany", [calls]) }).pipe(
          Effect.timeout("8 seconds"),
        )
      })),
    )
    assert.ok(Exit.isFailure(exit), "the message got through")
    assert.ok(!existsSync(target), "the task ran")
  }
})

test("cluster security: a member with the database and the certificates but not the secret has its tasks refused", async () => {
  const c = await cluster()
  const dir = join(work, "no-secret")
  mkdirSync(dir, { mode: 0o700 })
  for (const file of ["ca.crt", "cert.pem", "key.pem"]) {
    copyFileSync(join(c.tlsDir!, file), join(dir, file))
  }
  writeFileSync(join(dir, "secret"), "a guess at the cluster's secret", { mode: 0o600 })
  const target = marker()
  const exit = await within(Effect.scoped(Effect.gen(function* () {
    const joined = yield* ClusterExecutor.make({ databaseUrl: c.databaseUrl, tlsDir: dir })
    const one = yield* Effect.exit(joined.submit(touch, target))
    const many = yield* Effect.exit(joined.map(touch, [target, target]))
    return [one, many] as Array<Exit.Exit<unknown, unknown>>
  })))
  if (Exit.isFailure(exit)) assert.fail(Cause.pretty(exit.cause))
  for (const attempt of exit.value) {
    const error = failureOf(attempt)
    assert.ok(error instanceof TaskRefusedError, String(error))
    assert.equal(error.reason, "signature")
    assert.match(error.message, /signature does not match/)
  }
  assert.ok(!existsSync(target), "the task ran")
})

test("cluster security: node:child_process, data: and a module outside the project are refused, never imported", async () => {
  const c = await cluster()
  const target = marker()
  const outside = mkdtempSync(join(tmpdir(), "cluster-outside-"))
  const imported = join(outside, "imported")
  const module = join(outside, "evil.ts")
  writeFileSync(
    module,
    `import { writeFileSync } from "node:fs"\nwriteFileSync(${
      JSON.stringify(imported)
    }, "imported")\n` +
      `export const run = () => 1\n`,
  )
  const data = `data:text/javascript,import{writeFileSync}from"node:fs";writeFileSync(${
    encodeURIComponent(JSON.stringify(imported))
  },"x");export const run=()=>1`
  try {
    const attacks = [
      workerFunction("node:child_process", "execSync", (_: string) => "" as unknown),
      workerFunction(pathToFileURL(module).href, "run", () => 1 as unknown),
      workerFunction(data, "run", () => 1 as unknown),
    ]
    for (const t of attacks) {
      for (const via of ["submit", "map"] as const) {
        const exit = await within(
          via === "submit" ? c.submit(t, `touch ${target}`) : c.map(t, [`touch ${target}`]),
        )
        const error = failureOf(exit)
        assert.ok(error instanceof TaskRefusedError, `${t.module} via ${via}: ${String(error)}`)
        assert.equal(error.reason, "module")
        assert.equal(error.specifier, t.module)
        assert.match(error.message, /not in the runner's allow-list/)
      }
    }
    assert.ok(!existsSync(target), "a command ran")
    assert.ok(!existsSync(imported), "a refused module was imported")
    // The project's own tasks still run.
    assert.equal(Exit.isSuccess(await within(c.submit(add, 1, 2))), true)
  } finally {
    rmSync(outside, { recursive: true, force: true })
  }
})

test("cluster security: a Deno runner's workers cannot start processes", async () => {
  const c = await cluster()
  const exit = await within(
    Effect.forEach(Array.from({ length: 32 }), () => c.submit(runPermission), { concurrency: 32 }),
  )
  if (Exit.isFailure(exit)) assert.fail(Cause.pretty(exit.cause))
  const deno = exit.value.filter((r) => r.runtime === "deno")
  assert.ok(deno.length > 0, "no task ran on the Deno runner")
  for (const r of deno) assert.notEqual(r.run, "granted")
})

test("cluster security: the credentials are gone at scope close", async () => {
  const c = await cluster()
  const dir = c.tlsDir!
  assert.ok(existsSync(dir))
  await Effect.runPromise(Scope.close(scope, Exit.void))
  assert.ok(!existsSync(dir), "the TLS directory outlived the scope")
  assert.deepEqual(tlsDirsOf([process.pid]), [])
  rmSync(work, { recursive: true, force: true })
})
