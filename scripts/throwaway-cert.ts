/**
 * A throwaway TLS certificate for tests and benches: a certificate authority
 * made on the spot and a server certificate it signed, for `localhost` and
 * `127.0.0.1`, valid for a day. ECDSA P-256 keys from WebCrypto, the X.509
 * DER written here (no dependency), PEM out. Not part of the package.
 *
 * `deno run --allow-write scripts/throwaway-cert.ts DIR` (or `bun …`) writes
 * `ca.pem`, `cert.pem` and `key.pem` into DIR, to try
 * `recipes/websocket-echo.ts --url wss://… --ca DIR/ca.pem` by hand.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import process from "node:process"

/** PEM texts: the CA's certificate, and the server's certificate and private key. */
export interface ThrowawayCert {
  readonly ca: string
  readonly cert: string
  readonly key: string
}

// --- DER ---------------------------------------------------------------------

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

const tlv = (tag: number, ...content: ReadonlyArray<Uint8Array>): Uint8Array<ArrayBuffer> => {
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
const explicit = (n: number, item: Uint8Array) => tlv(0xa0 + n, item)
const bool = (value: boolean) => tlv(0x01, Uint8Array.of(value ? 0xff : 0))
const octets = (bytes: Uint8Array) => tlv(0x04, bytes)
const bits = (bytes: Uint8Array, unused = 0) => tlv(0x03, Uint8Array.of(unused), bytes)
const utf8 = (text: string) => tlv(0x0c, new TextEncoder().encode(text))

/** A non-negative INTEGER from big-endian bytes (a leading 0 when the top bit is set). */
const int = (bytes: Uint8Array): Uint8Array => {
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0 && bytes[start + 1] < 0x80) start++
  const trimmed = bytes.subarray(start)
  return tlv(0x02, trimmed[0] >= 0x80 ? concat([Uint8Array.of(0), trimmed]) : trimmed)
}

const oid = (dotted: string): Uint8Array => {
  const [a, b, ...rest] = dotted.split(".").map(Number)
  const out = [40 * a + b]
  for (const n of rest) {
    const base128 = [n & 0x7f]
    for (let v = n >> 7; v > 0; v >>= 7) base128.unshift((v & 0x7f) | 0x80)
    out.push(...base128)
  }
  return tlv(0x06, Uint8Array.from(out))
}

/** UTCTime, YYMMDDHHMMSSZ (years 1950–2049). */
const utcTime = (date: Date) =>
  tlv(0x17, new TextEncoder().encode(date.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z"))

const name = (commonName: string) => seq(set(seq(oid("2.5.4.3"), utf8(commonName))))

const extension = (id: string, critical: boolean, value: Uint8Array) =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value))

const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"))

// --- certificates -----------------------------------------------------------

const subtle = globalThis.crypto.subtle
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256" }

/** The raw r‖s WebCrypto gives, as the DER `SEQUENCE { r, s }` X.509 wants. */
const derSignature = (raw: Uint8Array) => seq(int(raw.subarray(0, 32)), int(raw.subarray(32)))

const keyId = async (spki: Uint8Array<ArrayBuffer>) =>
  new Uint8Array(await subtle.digest("SHA-1", spki)).subarray(0, 20)

const sign = async (tbs: Uint8Array<ArrayBuffer>, key: CryptoKey): Promise<Uint8Array> =>
  seq(
    tbs,
    ECDSA_SHA256,
    bits(
      derSignature(
        new Uint8Array(await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, tbs)),
      ),
    ),
  )

const pem = (label: string, der: Uint8Array): string => {
  const base64 = btoa(String.fromCharCode(...der))
  return `-----BEGIN ${label}-----\n${
    base64.match(/.{1,64}/g)!.join("\n")
  }\n-----END ${label}-----\n`
}

const ipv4 = (address: string) => Uint8Array.from(address.split(".").map(Number))

/**
 * Makes a CA and a server certificate it signed, for `localhost` and
 * 127.0.0.1 (or the `hosts` given: names and IPv4 addresses), valid from an
 * hour ago to a day from now.
 */
export const throwawayCert = async (
  hosts: ReadonlyArray<string> = ["localhost", "127.0.0.1"],
): Promise<ThrowawayCert> => {
  const now = Date.now()
  const validity = seq(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000)))
  const serial = () => int(crypto.getRandomValues(new Uint8Array(16)))
  const caKeys = await subtle.generateKey(ALGORITHM, true, ["sign", "verify"]) as CryptoKeyPair
  const serverKeys = await subtle.generateKey(ALGORITHM, true, ["sign", "verify"]) as CryptoKeyPair
  const caSpki = new Uint8Array(await subtle.exportKey("spki", caKeys.publicKey))
  const serverSpki = new Uint8Array(await subtle.exportKey("spki", serverKeys.publicKey))
  const caId = await keyId(caSpki)
  const caName = name("effect-asyncio throwaway CA")

  const ca = await sign(
    seq(
      explicit(0, int(Uint8Array.of(2))),
      serial(),
      ECDSA_SHA256,
      caName,
      validity,
      caName,
      caSpki,
      explicit(
        3,
        seq(
          extension("2.5.29.19", true, seq(bool(true))), // basicConstraints: a CA
          extension("2.5.29.15", true, bits(Uint8Array.of(0x06), 1)), // keyUsage: keyCertSign, cRLSign
          extension("2.5.29.14", false, octets(caId)), // subjectKeyIdentifier
        ),
      ),
    ),
    caKeys.privateKey,
  )

  const altNames = hosts.map((host) =>
    /^\d+\.\d+\.\d+\.\d+$/.test(host)
      ? tlv(0x87, ipv4(host))
      : tlv(0x82, new TextEncoder().encode(host))
  )
  const cert = await sign(
    seq(
      explicit(0, int(Uint8Array.of(2))),
      serial(),
      ECDSA_SHA256,
      caName,
      validity,
      name(hosts[0]),
      serverSpki,
      explicit(
        3,
        seq(
          extension("2.5.29.19", true, seq()), // basicConstraints: not a CA
          extension("2.5.29.15", true, bits(Uint8Array.of(0x80), 7)), // keyUsage: digitalSignature
          extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"))), // extKeyUsage: serverAuth
          extension("2.5.29.17", false, seq(...altNames)), // subjectAltName
          extension("2.5.29.35", false, seq(tlv(0x80, caId))), // authorityKeyIdentifier
        ),
      ),
    ),
    caKeys.privateKey,
  )

  const key = new Uint8Array(await subtle.exportKey("pkcs8", serverKeys.privateKey))
  return {
    ca: pem("CERTIFICATE", ca),
    cert: pem("CERTIFICATE", cert),
    key: pem("PRIVATE KEY", key),
  }
}

/** Writes `ca.pem`, `cert.pem` and `key.pem` (this one readable by its owner only) into `dir`. */
export const writeThrowawayCert = async (dir: string): Promise<ThrowawayCert> => {
  const made = await throwawayCert()
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, "ca.pem"), made.ca)
  writeFileSync(join(dir, "cert.pem"), made.cert)
  writeFileSync(join(dir, "key.pem"), made.key, { mode: 0o600 })
  return made
}

if (import.meta.main) {
  const dir = process.argv[2]
  if (dir === undefined) {
    console.error("usage: scripts/throwaway-cert.ts DIR")
    process.exit(2)
  }
  await writeThrowawayCert(dir)
  console.log(`wrote ${join(dir, "ca.pem")}, cert.pem and key.pem`)
}
