/**
 * Settings every member of a task cluster shares (runners and clients must
 * agree on them), and the Postgres connection. Internal to
 * `effect-asyncio/cluster`.
 *
 * @module
 */
import { Duration, Redacted } from "effect"
import type { ShardingConfig } from "effect/cluster"
import { PgClient } from "@effect/sql-pg"

/**
 * How long a dead runner's shards stay locked before another runner takes
 * them over: the lock is refreshed every 1 s and expires after 5 s without a
 * refresh (Effect's defaults are 10 s and 35 s). A shorter expiry moves work
 * off a dead runner sooner; it must stay well above the refresh interval so a
 * busy but live runner never loses its shards.
 */
export const SHARD_LOCK_EXPIRATION_MS = 5_000
export const SHARD_LOCK_REFRESH_MS = 1_000

/** Sharding settings shared by runners and clients. */
export const sharding: Partial<ShardingConfig.ShardingConfig["Service"]> = {
  shardsPerGroup: 64,
  shardLockExpiration: Duration.millis(SHARD_LOCK_EXPIRATION_MS),
  shardLockRefreshInterval: Duration.millis(SHARD_LOCK_REFRESH_MS),
  refreshAssignmentsInterval: Duration.millis(500),
  runnerHealthCheckInterval: Duration.millis(500),
  entityMailboxCapacity: "unbounded",
  // Our payloads are bytes already: no need to check they survive encoding.
  simulateRemoteSerialization: false,
}

/** The Postgres client every member uses, with a bounded connect time. */
export const sqlLayer = (url: string, connectTimeoutMs: number) =>
  PgClient.layer({
    url: Redacted.make(url),
    connectTimeout: Duration.millis(connectTimeoutMs),
    applicationName: "effect-asyncio-cluster",
  })
