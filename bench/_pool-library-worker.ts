// The worker module piscina and tinypool run: their task is the default export.
export default ({ a, b }: { a: number; b: number }): number => a + b
