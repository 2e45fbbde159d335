// The cluster's value codec (lib/cluster/codec.ts): what structured clone keeps, readable by
// either runtime.
import { test } from "node:test"
import assert from "node:assert/strict"
import { decode, encode } from "../../lib/cluster/codec.ts"
import { errorFields, toError } from "../../lib/cluster/entity.ts"
import { ClusterDeliveryError } from "../../lib/cluster.ts"
import {
  BrokenWorkerError,
  ExecutorShutdownError,
  NotCloneableError,
  TaskError,
  TaskNotFoundError,
} from "../../lib/executor.ts"

test("cluster codec: structured-clone values survive encode → decode", () => {
  const error = new RangeError("out")
  const value = {
    text: "é",
    n: 1.5,
    t: true,
    nil: null,
    u: undefined,
    nan: NaN,
    inf: -Infinity,
    negZero: -0,
    big: -(2n ** 70n),
    date: new Date(1234),
    re: /a+b/gi,
    map: new Map<unknown, unknown>([[1, { a: [1] }], ["k", new Set([2])]]),
    bytes: new Uint8Array([0, 255]),
    floats: new Float64Array([0.5, -1]),
    bigs: new BigInt64Array([-1n]),
    buffer: new Uint8Array([7, 8]).buffer,
    nested: [[[]], [{}]],
    sparseKeys: { "$t": "not a tag", v: 1 },
    error,
  }
  const back = decode(encode(value)) as typeof value
  assert.deepEqual({ ...back, error: undefined }, { ...value, error: undefined })
  assert.ok(Object.is(back.negZero, -0))
  assert.ok(back.error instanceof Error)
  assert.deepEqual([back.error.name, back.error.message, back.error.stack], [
    "RangeError",
    "out",
    error.stack,
  ])
})

test("cluster codec: what cannot be cloned is refused with a TypeError", () => {
  assert.throws(() => encode([() => 1]), TypeError)
  assert.throws(() => encode({ s: Symbol("x") }), TypeError)
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  assert.throws(() => encode(cyclic), /cyclic/)
  // A value seen twice (not a cycle) is fine.
  const shared = { a: 1 }
  assert.deepEqual(decode(encode([shared, shared])), [{ a: 1 }, { a: 1 }])
})

test("cluster codec: every executor error crosses the wire as the same tagged class", () => {
  const errors = [
    new TaskError({ task: "t.ts#f", name: "TypeError", message: "boom", stack: "at f" }),
    new NotCloneableError({ task: "t.ts#f", argument: 1, message: "a function" }),
    new BrokenWorkerError({ task: "t.ts#f", reason: "exit", exitCode: 3, message: "died" }),
    new TaskNotFoundError({ task: "t.ts#f", message: "no export f" }),
    new ExecutorShutdownError({ message: "closed" }),
    new ClusterDeliveryError({
      task: "t.ts#f",
      clusterError: "RunnerUnavailable",
      message: "the cluster could not deliver the task: RunnerUnavailable",
    }),
  ]
  for (const error of errors) {
    const back = toError(JSON.parse(JSON.stringify(errorFields(error))))
    assert.equal(back._tag, error._tag)
    assert.equal(back.constructor, error.constructor)
    assert.equal(back.message, error.message)
  }
  const delivery = toError(errorFields(errors[5])) as ClusterDeliveryError
  assert.equal(delivery.clusterError, "RunnerUnavailable")
  assert.equal(delivery.task, "t.ts#f")
})
