/**
 * A throwaway TLS certificate for tests and benches: a certificate authority
 * made on the spot and a server certificate it signed, for `localhost` and
 * `127.0.0.1`, valid for a day. It uses the cluster's certificate maker
 * (`lib/cluster/certs.ts`: ECDSA P-256, no dependency). Not part of the package.
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
import { issueCertificate, makeCa } from "../lib/cluster/certs.ts"

/** PEM texts: the CA's certificate, and the server's certificate and private key. */
export interface ThrowawayCert {
  readonly ca: string
  readonly cert: string
  readonly key: string
}

/** Makes a CA and a server certificate it signed, for `localhost` and 127.0.0.1, valid a day. */
export const throwawayCert = (): Promise<ThrowawayCert> => {
  const ca = makeCa("effect-asyncio throwaway CA", 1)
  const server = issueCertificate(ca, "localhost", 1)
  return Promise.resolve({ ca: ca.cert, cert: server.cert, key: server.key })
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
