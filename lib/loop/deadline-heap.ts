/**
 * Deadlines in order: a binary min-heap on (deadline, seq), and beside it an
 * ordered lane for entries that arrive in deadline order (the common case:
 * each new timer due no earlier than the last), appended in O(1). The
 * earliest entry is the smaller of both heads. Internal to the loop's timer
 * queue.
 *
 * An entry's `index` is its place in the heap, {@link IN_LANE} in the lane,
 * -1 in neither. Removal is O(log n) from the heap and O(1) from the lane
 * (a removed lane entry is skipped when the head reaches it).
 *
 * @example
 * ```ts
 * import { DeadlineHeap } from "./deadline-heap.ts"
 * import assert from "node:assert/strict"
 *
 * const heap = new DeadlineHeap()
 * const entry = (deadline: number, seq: number) => ({ deadline, seq, index: -1 })
 * for (const e of [entry(5, 0), entry(9, 1), entry(1, 2), entry(5, 3)]) heap.push(e)
 * const order: Array<number> = []
 * for (let e = heap.peek(); e !== undefined; e = heap.peek()) {
 *   heap.take(e)
 *   order.push(e.seq)
 * }
 * assert.deepEqual(order, [2, 0, 3, 1])
 * ```
 *
 * @module
 */

/** What the heap orders: by `deadline`, then `seq`; it keeps `index` up to date. */
export interface Timed {
  readonly deadline: number
  readonly seq: number
  index: number
}

/** `index` of an entry in the ordered lane rather than the heap. */
export const IN_LANE = -2

const before = (a: Timed, b: Timed) =>
  a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq)

export class DeadlineHeap<E extends Timed = Timed> {
  /** Binary min-heap on (deadline, seq). */
  private readonly heap: Array<E> = []
  /** Entries added in deadline order, from `laneHead`. */
  private lane: Array<E> = []
  private laneHead = 0
  /** Entries in heap and lane (removed lane entries leave lazily). */
  private count = 0

  /** How many entries are in. */
  get size(): number {
    return this.count
  }

  /** Adds `entry`: to the lane if it is due no earlier than the lane's last, else to the heap. */
  push(entry: E): void {
    this.count++
    const lane = this.lane
    if (lane.length === this.laneHead || entry.deadline >= lane[lane.length - 1].deadline) {
      entry.index = IN_LANE
      lane.push(entry)
    } else {
      entry.index = this.heap.length
      this.heap.push(entry)
      this.up(entry.index)
    }
  }

  /** Takes `entry` out, wherever it is (nothing if it is not in). */
  remove(entry: E): void {
    const i = entry.index
    if (i === -1) return
    this.count--
    if (i >= 0) {
      const last = this.heap.pop()!
      if (last !== entry) {
        this.heap[i] = last
        last.index = i
        this.up(i)
        this.down(last.index)
      }
    }
    entry.index = -1
    if (this.count === 0) {
      this.lane = []
      this.laneHead = 0
    }
  }

  /** The earliest entry: the smaller of the heap's top and the lane's head. */
  peek(): E | undefined {
    const lane = this.lane
    while (this.laneHead < lane.length && lane[this.laneHead].index !== IN_LANE) this.laneHead++
    const fromLane = this.laneHead < lane.length ? lane[this.laneHead] : undefined
    const fromHeap = this.heap.length > 0 ? this.heap[0] : undefined
    if (fromLane === undefined) return fromHeap
    if (fromHeap === undefined) return fromLane
    return before(fromHeap, fromLane) ? fromHeap : fromLane
  }

  /** Takes `entry`, the result of {@link peek}, out. */
  take(entry: E): void {
    this.count--
    if (entry.index === IN_LANE) {
      this.laneHead++
      if (this.laneHead === this.lane.length) {
        this.lane = []
        this.laneHead = 0
      } else if (this.laneHead > 4096 && this.laneHead * 2 > this.lane.length) {
        this.lane = this.lane.slice(this.laneHead)
        this.laneHead = 0
      }
    } else {
      const heap = this.heap
      const last = heap.pop()!
      if (last !== entry) {
        heap[0] = last
        last.index = 0
        this.down(0)
      }
    }
    entry.index = -1
  }

  /** Empties the heap; returns the entries that were in, in no particular order. */
  clear(): Array<E> {
    const entries = [...this.heap, ...this.lane.slice(this.laneHead)].filter((entry) =>
      entry.index !== -1
    )
    for (const entry of entries) entry.index = -1
    this.heap.length = 0
    this.lane = []
    this.laneHead = 0
    this.count = 0
    return entries
  }

  private up(i: number): void {
    const heap = this.heap
    const entry = heap[i]
    const deadline = entry.deadline
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent]
      if (p.deadline < deadline || (p.deadline === deadline && p.seq < entry.seq)) break
      heap[i] = p
      p.index = i
      i = parent
    }
    heap[i] = entry
    entry.index = i
  }

  private down(i: number): void {
    const heap = this.heap
    const n = heap.length
    const entry = heap[i]
    while (true) {
      const left = 2 * i + 1
      if (left >= n) break
      const right = left + 1
      const child = right < n && before(heap[right], heap[left]) ? right : left
      if (!before(heap[child], entry)) break
      heap[i] = heap[child]
      heap[i].index = i
      i = child
    }
    heap[i] = entry
    entry.index = i
  }
}
