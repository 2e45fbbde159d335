// The raw baseline's worker: adds the two numbers it is sent, or sends back
// anything else it is sent (the bytes of the 100 MB round trip). Works as a
// Web Worker and as a node:worker_threads Worker.
import { parentPort } from "node:worker_threads"

const reply = (message: unknown) =>
  Array.isArray(message) && message.length === 2 && typeof message[0] === "number"
    ? message[0] + message[1]
    : message

if (parentPort) {
  const port = parentPort
  port.on("message", (message: unknown) => port.postMessage(reply(message)))
} else {
  const scope = self as unknown as {
    onmessage: (event: MessageEvent<unknown>) => void
    postMessage: (value: unknown) => void
  }
  scope.onmessage = (event) => scope.postMessage(reply(event.data))
}
