// Stops the platform that global-setup started (closing its stdin stops it and its servers).

export default async function globalTeardown(): Promise<void> {
  const runner = (globalThis as { __runner?: import('node:child_process').ChildProcess }).__runner;
  if (!runner) return;
  runner.stdin?.end();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      runner.kill('SIGTERM');
      resolve();
    }, 10_000);
    runner.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
