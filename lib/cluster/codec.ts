/**
 * How task arguments and results cross the cluster. Internal to
 * `effect-asyncio/cluster`.
 *
 * Runners may run a different runtime from the caller, and `node:v8`'s
 * serialization is not portable between Deno (V8) and Bun (JavaScriptCore):
 * each reads only its own. So values travel as JSON, with the
 * structured-clone values JSON lacks tagged: `undefined`, `NaN`, `±Infinity`,
 * `-0`, `bigint`, `Date`, `Map`, `Set`, `RegExp`, typed arrays, `ArrayBuffer`
 * and `Error`. A function or symbol fails to encode, as it fails to clone;
 * a cyclic structure fails too (structured clone would keep it).
 *
 * @module
 */

const TAG = "$t"

type Typed = { readonly [K: number]: number | bigint; readonly length: number }
const typedArrays: Record<string, new (items: ArrayLike<number> | ArrayLike<bigint>) => Typed> = {
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
  Uint8ClampedArray,
  // deno-lint-ignore no-explicit-any
  BigInt64Array: BigInt64Array as any,
  // deno-lint-ignore no-explicit-any
  BigUint64Array: BigUint64Array as any,
}

const describe = (value: unknown) =>
  typeof value === "function"
    ? `function ${(value as { name?: string }).name || "(anonymous)"}`
    : String(value)

const toJsonTree = (value: unknown, seen: Set<object>): unknown => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value
    case "number":
      if (Number.isFinite(value) && !Object.is(value, -0)) return value
      return { [TAG]: "num", v: String(Object.is(value, -0) ? "-0" : value) }
    case "undefined":
      return { [TAG]: "undef" }
    case "bigint":
      return { [TAG]: "big", v: value.toString() }
    case "function":
    case "symbol":
      throw new TypeError(`${describe(value)} could not be cloned`)
  }
  if (value === null) return null
  const object = value as object
  if (seen.has(object)) throw new TypeError("a cyclic structure could not be encoded")
  seen.add(object)
  try {
    if (Array.isArray(object)) return object.map((item) => toJsonTree(item, seen))
    if (object instanceof Date) return { [TAG]: "date", v: object.getTime() }
    if (object instanceof RegExp) return { [TAG]: "re", v: object.source, f: object.flags }
    if (object instanceof Map) {
      return {
        [TAG]: "map",
        v: [...object].map(([k, v]) => [toJsonTree(k, seen), toJsonTree(v, seen)]),
      }
    }
    if (object instanceof Set) {
      return {
        [TAG]: "set",
        v: [...object].map((v) => toJsonTree(v, seen)),
      }
    }
    if (object instanceof ArrayBuffer) {
      return { [TAG]: "buf", v: [...new Uint8Array(object)] }
    }
    if (ArrayBuffer.isView(object)) {
      const name = object.constructor.name
      if (!(name in typedArrays)) throw new TypeError(`a ${name} could not be cloned`)
      return { [TAG]: "ta", c: name, v: Array.from(object as unknown as Typed, (n) => String(n)) }
    }
    if (object instanceof Error) {
      return { [TAG]: "err", n: object.name, m: object.message, s: object.stack }
    }
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(object)) {
      out[key] = toJsonTree((object as Record<string, unknown>)[key], seen)
    }
    // A plain object that has the tag key itself is wrapped, so it reads back as it was.
    return TAG in out ? { [TAG]: "obj", v: out } : out
  } finally {
    seen.delete(object)
  }
}

/** Rebuilds a value from what {@link toJson} gave (after `JSON.parse`). */
export const fromJson = (json: unknown): unknown => {
  if (typeof json !== "object" || json === null) return json
  if (Array.isArray(json)) return json.map(fromJson)
  const o = json as Record<string, unknown> & { v: never }
  switch (o[TAG]) {
    case undefined: {
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(o)) out[key] = fromJson(o[key])
      return out
    }
    case "num":
      return Number(o.v)
    case "undef":
      return undefined
    case "big":
      return BigInt(o.v)
    case "date":
      return new Date(o.v)
    case "re":
      return new RegExp(o.v, o.f as string)
    case "map":
      return new Map((o.v as Array<[unknown, unknown]>).map(([k, v]) => [fromJson(k), fromJson(v)]))
    case "set":
      return new Set((o.v as Array<unknown>).map(fromJson))
    case "buf":
      return new Uint8Array(o.v as Array<number>).buffer
    case "ta": {
      const Ctor = typedArrays[o.c as string]
      const big = o.c === "BigInt64Array" || o.c === "BigUint64Array"
      return new Ctor((o.v as Array<string>).map((s) => (big ? BigInt(s) : Number(s))) as never)
    }
    case "err": {
      const error = new Error(o.m as string)
      error.name = o.n as string
      error.stack = o.s as string
      return error
    }
    case "obj": {
      const inner = o.v as Record<string, unknown>
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(inner)) out[key] = fromJson(inner[key])
      return out
    }
    default:
      throw new TypeError(`unknown tag ${String(o[TAG])}`)
  }
}

/** A value as a JSON-able tree; throws a TypeError for what structured clone refuses. */
export const toJson = (value: unknown): unknown => toJsonTree(value, new Set())

/** A value as JSON text (see {@link toJson}). */
export const encode = (value: unknown): string => JSON.stringify(toJsonTree(value, new Set()))

/** Decodes what {@link encode} gave. */
export const decode = (text: string): unknown => fromJson(JSON.parse(text))
