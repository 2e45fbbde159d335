/**
 * Certificates and the shared secret of a task cluster: a CA, one
 * certificate per host (signed by the CA, valid as TLS server and client),
 * and a random 256-bit secret that signs every task message. Made with
 * `node:crypto` alone (ECDSA P-256, X.509 v3 written out in DER), so it runs
 * wherever Deno or Bun does, without `openssl`.
 *
 * As a command, it writes one directory per host to copy to that host
 * (`ca.crt`, `cert.pem`, `key.pem`, `secret`; files 0600, directories 0700)
 * and the CA's key in `ca/` (keep it off the cluster: it makes more hosts):
 *
 * ```sh
 * deno run -A lib/cluster/certs.ts --hosts 10.0.0.2,10.0.0.3,client --out cluster-tls
 * bun lib/cluster/certs.ts --hosts 10.0.0.2,10.0.0.3,client --out cluster-tls
 * ```
 *
 * A host named by an IP address gets it as an IP subject alternative name,
 * any other as a DNS name; every certificate also names `localhost` and
 * `127.0.0.1`. A runner's certificate must name the `--host` it announces.
 *
 * @example A CA, a host certificate signed by it, and their check
 * ```ts
 * import { X509Certificate } from "node:crypto"
 * import assert from "node:assert/strict"
 * import { issueCertificate, makeCa } from "./certs.ts"
 *
 * const ca = makeCa("example cluster")
 * const host = issueCertificate(ca, "10.0.0.2")
 * const cert = new X509Certificate(host.cert)
 * assert.ok(cert.verify(new X509Certificate(ca.cert).publicKey))
 * assert.ok(cert.checkIP("10.0.0.2"))
 * ```
 *
 * @module
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto"
import { Buffer } from "node:buffer"
import { chmodSync, mkdirSync, writeFileSync } from "node:fs"
import { isIP } from "node:net"
import { join } from "node:path"
import process from "node:process"
import { parseArgs } from "node:util"

// --- DER, just what a certificate needs ---------------------------------------------------

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

const tlv = (tag: number, ...content: ReadonlyArray<Uint8Array>): Uint8Array => {
  const body = concat(content)
  const n = body.length
  const length = n < 0x80
    ? [n]
    : n < 0x100
    ? [0x81, n]
    : n < 0x10000
    ? [0x82, n >> 8, n & 0xff]
    : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]
  return concat([Uint8Array.of(tag, ...length), body])
}

const seq = (...items: ReadonlyArray<Uint8Array>) => tlv(0x30, ...items)
const set = (...items: ReadonlyArray<Uint8Array>) => tlv(0x31, ...items)
const utf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s))
const octets = (b: Uint8Array) => tlv(0x04, b)
const bits = (b: Uint8Array) => tlv(0x03, Uint8Array.of(0), b)
const bool = (b: boolean) => tlv(0x01, Uint8Array.of(b ? 0xff : 0))
const explicit = (n: number, item: Uint8Array) => tlv(0xa0 + n, item)

/** A non-negative INTEGER from big-endian bytes. */
const integer = (b: Uint8Array) => {
  let i = 0
  while (i < b.length - 1 && b[i] === 0) i++
  const trimmed = b.subarray(i)
  return tlv(0x02, trimmed[0] & 0x80 ? concat([Uint8Array.of(0), trimmed]) : trimmed)
}

const oid = (dotted: string) => {
  const [a, b, ...rest] = dotted.split(".").map(Number)
  const out = [a * 40 + b]
  for (const n of rest) {
    const chunk = [n & 0x7f]
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80)
    out.push(...chunk)
  }
  return tlv(0x06, Uint8Array.from(out))
}

const time = (d: Date) => {
  const iso = d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z"
  // UTCTime until 2049, GeneralizedTime after (RFC 5280).
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, new TextEncoder().encode(iso.slice(2)))
    : tlv(0x18, new TextEncoder().encode(iso))
}

const name = (cn: string) => seq(set(seq(oid("2.5.4.3"), utf8(cn))))

const extension = (id: string, critical: boolean, value: Uint8Array) =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value))

const ipBytes = (ip: string): Uint8Array => {
  if (isIP(ip) === 4) return Uint8Array.from(ip.split(".").map(Number))
  // IPv6: expand `::`, then 8 groups of 16 bits.
  const [head, tail = ""] = ip.split("::")
  const h = head === "" ? [] : head.split(":")
  const t = tail === "" ? [] : tail.split(":")
  const groups = ip.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h
  return Uint8Array.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]))
}

// --- Certificates -----------------------------------------------------------------------

/** A certificate and its private key, as PEM text. */
export interface KeyPair {
  readonly cert: string
  readonly key: string
}

/** A certificate authority: its certificate and key, and the key as a `KeyObject` to sign with. */
export interface Ca extends KeyPair {
  readonly name: string
  readonly signer: KeyObject
  readonly keyId: Uint8Array
}

const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"))
const DAY = 86_400_000

const pem = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${
    (Buffer.from(der).toString("base64").match(/.{1,64}/g) ?? []).join("\n")
  }\n-----END ${label}-----\n`

const newKey = () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" })
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }))
  // The key identifier: SHA-1 of the public key's bits (RFC 5280, method 1).
  const keyId = new Uint8Array(createHash("sha1").update(spki.subarray(spki.length - 65)).digest())
  return { privateKey, spki, keyId }
}

const certificate = (options: {
  readonly subject: string
  readonly issuer: string
  readonly spki: Uint8Array
  readonly keyId: Uint8Array
  readonly issuerKeyId: Uint8Array
  readonly signer: KeyObject
  readonly days: number
  readonly extensions: ReadonlyArray<Uint8Array>
}): string => {
  const now = Date.now()
  const tbs = seq(
    explicit(0, integer(Uint8Array.of(2))),
    integer(concat([Uint8Array.of(0x40), randomBytes(15)])),
    ECDSA_SHA256,
    name(options.issuer),
    seq(time(new Date(now - DAY)), time(new Date(now + options.days * DAY))),
    name(options.subject),
    options.spki,
    explicit(
      3,
      seq(
        extension("2.5.29.14", false, octets(options.keyId)),
        extension("2.5.29.35", false, seq(tlv(0x80, options.issuerKeyId))),
        ...options.extensions,
      ),
    ),
  )
  const signature = new Uint8Array(sign("sha256", tbs, options.signer))
  return pem("CERTIFICATE", seq(tbs, ECDSA_SHA256, bits(signature)))
}

/** A new CA, valid `days` (default 10 years). */
export const makeCa = (name: string, days = 3650): Ca => {
  const { privateKey, spki, keyId } = newKey()
  const cert = certificate({
    subject: name,
    issuer: name,
    spki,
    keyId,
    issuerKeyId: keyId,
    signer: privateKey,
    days,
    extensions: [
      extension("2.5.29.19", true, seq(bool(true))),
      // keyCertSign, cRLSign
      extension("2.5.29.15", true, tlv(0x03, Uint8Array.of(1, 0x06))),
    ],
  })
  const key = privateKey.export({ type: "pkcs8", format: "pem" }) as string
  return { name, cert, key, signer: privateKey, keyId }
}

/**
 * A certificate for `host` (a DNS name or an IP address), signed by `ca`,
 * good for both ends of a TLS connection; valid `days` (default 2 years).
 */
export const issueCertificate = (ca: Ca, host: string, days = 730): KeyPair => {
  const { privateKey, spki, keyId } = newKey()
  const names = [...new Set([host, "localhost", "127.0.0.1"])]
  const altNames = names.map((n) =>
    isIP(n) !== 0 ? tlv(0x87, ipBytes(n)) : tlv(0x82, new TextEncoder().encode(n))
  )
  const cert = certificate({
    subject: host,
    issuer: ca.name,
    spki,
    keyId,
    issuerKeyId: ca.keyId,
    signer: ca.signer,
    days,
    extensions: [
      extension("2.5.29.19", true, seq()),
      // digitalSignature
      extension("2.5.29.15", true, tlv(0x03, Uint8Array.of(7, 0x80))),
      // serverAuth, clientAuth
      extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2"))),
      extension("2.5.29.17", false, seq(...altNames)),
    ],
  })
  return { cert, key: privateKey.export({ type: "pkcs8", format: "pem" }) as string }
}

/** A new cluster secret: 32 random bytes, hex. */
export const makeSecret = (): string => randomBytes(32).toString("hex")

/** The files of one member's TLS directory. */
export const TLS_FILES = {
  ca: "ca.crt",
  cert: "cert.pem",
  key: "key.pem",
  secret: "secret",
} as const

/** Writes `text` readable by its owner only. */
export const writePrivate = (path: string, text: string): void => {
  writeFileSync(path, text, { mode: 0o600 })
  chmodSync(path, 0o600)
}

/** Makes `dir` (and parents) with only its owner able to enter it. */
export const mkdirPrivate = (dir: string): void => {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  chmodSync(dir, 0o700)
}

/** Writes one member's TLS directory: the CA certificate, its certificate and key, the secret. */
export const writeMemberDir = (dir: string, ca: Ca, member: KeyPair, secret: string): void => {
  mkdirPrivate(dir)
  writePrivate(join(dir, TLS_FILES.ca), ca.cert)
  writePrivate(join(dir, TLS_FILES.cert), member.cert)
  writePrivate(join(dir, TLS_FILES.key), member.key)
  writePrivate(join(dir, TLS_FILES.secret), secret)
}

/**
 * Makes a cluster's CA, a certificate per host and the secret under `out`:
 * `out/<host>/` for each host, `out/ca/` with the CA's key.
 */
export const writeCluster = (out: string, hosts: ReadonlyArray<string>): void => {
  const ca = makeCa(`effect-asyncio cluster CA ${new Date().toISOString().slice(0, 10)}`)
  const secret = makeSecret()
  mkdirPrivate(out)
  mkdirPrivate(join(out, "ca"))
  writePrivate(join(out, "ca", TLS_FILES.ca), ca.cert)
  writePrivate(join(out, "ca", "ca.key"), ca.key)
  for (const host of hosts) writeMemberDir(join(out, host), ca, issueCertificate(ca, host), secret)
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { hosts: { type: "string" }, out: { type: "string" } },
  })
  const hosts = (values.hosts ?? "").split(",").map((h) => h.trim()).filter((h) => h !== "")
  if (hosts.length === 0 || values.out === undefined || hosts.some((h) => h.includes("/"))) {
    console.error("usage: certs.ts --hosts HOST[,HOST…] --out DIR")
    process.exit(2)
  }
  writeCluster(values.out, hosts)
  console.log(
    `wrote ${values.out}/{${
      hosts.join(",")
    }} (ca.crt, cert.pem, key.pem, secret) and ${values.out}/ca/ca.key`,
  )
}
