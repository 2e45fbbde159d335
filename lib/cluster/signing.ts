/**
 * Signed task messages. Internal to `effect-asyncio/cluster`.
 *
 * Every message a client sends to a runner carries `auth`:
 * `<timestamp ms>.<nonce>.<HMAC-SHA256>`, the HMAC taken under the
 * cluster's secret over the message's kind, the timestamp, the nonce and
 * every payload field (each prefixed with its length, so no two messages
 * read the same). A runner checks it before it parses the payload: a
 * message signed without the secret, altered, or older than
 * {@link MAX_AGE_MS} (or as much in the future) is refused. Mutual
 * TLS keeps strangers off the runners' ports; the signature also keeps out
 * whoever can reach the runners another way (the database) and any member
 * that does not hold the secret.
 *
 * @example A runner accepts what was signed with the secret, and nothing else
 * ```ts
 * import assert from "node:assert/strict"
 * import { makeSigner, makeVerifier } from "./signing.ts"
 *
 * const auth = makeSigner("a secret of the cluster")("RunMany", ["[]"])
 * assert.equal(makeVerifier("a secret of the cluster")("RunMany", ["[]"], auth), undefined)
 * assert.match(makeVerifier("a guessed secret")("RunMany", ["[]"], auth) ?? "", /signature/)
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer"
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"

/** How old (or how far ahead of a runner's clock) a message may be. */
export const MAX_AGE_MS = 5 * 60_000

const mac = (
  secret: string,
  kind: string,
  stamp: string,
  nonce: string,
  fields: ReadonlyArray<string>,
) => {
  const h = createHmac("sha256", secret)
  for (const part of [kind, stamp, nonce, ...fields]) h.update(`${part.length}:`).update(part)
  return h.digest()
}

/** Signs a message of `kind` with these payload fields: the `auth` it carries. */
export const makeSigner = (secret: string) => (kind: string, fields: ReadonlyArray<string>) => {
  const stamp = String(Date.now())
  const nonce = randomBytes(12).toString("base64url")
  return `${stamp}.${nonce}.${mac(secret, kind, stamp, nonce, fields).toString("base64url")}`
}

/**
 * A runner's check of `auth`: undefined when the message is genuine and
 * fresh; else why it is refused.
 *
 * A message seen before is not refused: the cluster itself delivers a
 * message again (at least once), and a replay can only repeat, within
 * {@link MAX_AGE_MS}, what a member asked for.
 */
export const makeVerifier =
  (secret: string) =>
  (kind: string, fields: ReadonlyArray<string>, auth: string): string | undefined => {
    const [stamp, nonce, sig, extra] = auth.split(".")
    if (stamp === undefined || nonce === undefined || sig === undefined || extra !== undefined) {
      return "the message is not signed"
    }
    const expected = mac(secret, kind, stamp, nonce, fields)
    const given = Buffer.from(sig, "base64url")
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return "the message's signature does not match the cluster's secret"
    }
    const age = Date.now() - Number(stamp)
    if (!(Math.abs(age) <= MAX_AGE_MS)) {
      return `the message is ${Math.round(age / 1000)} s old (clocks more than ${
        MAX_AGE_MS / 1000
      } s apart?)`
    }
    return undefined
  }
