/** Calls `fn(i)` at start + i·period for i in [0, count); resolves when all calls have settled. */
export async function paced(
  count: number,
  periodMs: number,
  fn: (i: number) => Promise<void>,
): Promise<void> {
  const start = performance.now();
  const calls: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = start + i * periodMs - performance.now();
    if (wait > 0.5) await new Promise((r) => setTimeout(r, wait));
    calls.push(fn(i));
  }
  await Promise.all(calls);
}
