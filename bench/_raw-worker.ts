// The raw baseline's worker: adds the two numbers it is sent. Works as a Web
// Worker and as a node:worker_threads Worker.
import { parentPort } from "node:worker_threads"

if (parentPort) {
  const port = parentPort
  port.on("message", ([a, b]: [number, number]) => port.postMessage(a + b))
} else {
  const scope = self as unknown as {
    onmessage: (event: MessageEvent<[number, number]>) => void
    postMessage: (value: number) => void
  }
  scope.onmessage = (event) => scope.postMessage(event.data[0] + event.data[1])
}
