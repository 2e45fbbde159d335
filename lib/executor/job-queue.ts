/**
 * The pool's queue of tasks not yet handed to a worker. Internal to
 * `effect-asyncio/executor`.
 *
 * An array read from a moving head, so that taking a task is O(1) and a
 * cancelled task is skipped in O(1) (its state changes; it is dropped when
 * the head reaches it). Tasks beyond `maxQueue` wait in an overflow list
 * until there is room. Tasks of a dead worker go back to the front.
 *
 * @module
 */
import { DONE, type Job, QUEUED, WAITING } from "./model.ts"

export class JobQueue {
  private queue: Array<Job | undefined> = []
  private head = 0
  private overflow: Array<Job> = []
  /** Jobs in the queue proper (not counting the overflow), cancelled ones left out. */
  queued = 0

  constructor(private readonly maxQueue: number) {}

  /** Everything waiting: the queue and its overflow. */
  get size(): number {
    return this.queued + this.overflow.length
  }

  /** Adds a new job at the back (or to the overflow when the queue is full). */
  push(job: Job): void {
    if (this.queued >= this.maxQueue) {
      job.state = WAITING
      this.overflow.push(job)
    } else {
      this.queue.push(job)
      this.queued++
    }
  }

  /** Moves overflowed jobs into the queue while there is room. */
  admitOverflow(): void {
    while (this.overflow.length > 0 && this.queued < this.maxQueue) {
      const job = this.overflow.shift()!
      job.state = QUEUED
      this.queue.push(job)
      this.queued++
    }
  }

  /** Removes and returns the first live job. */
  take(): Job | undefined {
    while (this.head < this.queue.length) {
      const job = this.queue[this.head]
      this.queue[this.head++] = undefined
      if (job !== undefined && job.state === QUEUED) {
        this.queued--
        if (this.head === this.queue.length) {
          this.queue = []
          this.head = 0
        } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head)
          this.head = 0
        }
        return job
      }
    }
    return undefined
  }

  /** The first live job, left in place. */
  peek(): Job | undefined {
    for (let i = this.head; i < this.queue.length; i++) {
      const job = this.queue[i]
      if (job !== undefined && job.state === QUEUED) return job
    }
    return undefined
  }

  /** Cancels a queued or overflowed job; false if it is neither. */
  cancel(job: Job): boolean {
    if (job.state === QUEUED) {
      job.state = DONE
      this.queued--
      return true
    }
    if (job.state === WAITING) {
      job.state = DONE
      this.overflow.splice(this.overflow.indexOf(job), 1)
      return true
    }
    return false
  }

  /** Puts jobs back at the front, in their order (they had not started, or must run again). */
  requeueFront(jobs: Array<Job>): void {
    for (const job of jobs) job.state = QUEUED
    this.queue.splice(this.head, 0, ...jobs)
    this.queued += jobs.length
  }

  /** Empties the queue and its overflow; returns what was waiting, overflow first. */
  drain(): Array<Job> {
    const jobs = this.overflow
    this.overflow = []
    for (let job = this.take(); job !== undefined; job = this.take()) jobs.push(job)
    return jobs
  }
}
