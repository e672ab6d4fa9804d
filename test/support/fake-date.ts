/**
 * Fakes only the clock that libraries read (`Date`, `performance.now`), so a library without an
 * injectable clock (jose, jwks-rsa, aws-jwt-verify) can be walked through minutes of time while
 * timers, sockets and promises run for real.
 */
export function fakeDateOnly(now: number): void {
  jest.useFakeTimers({
    now,
    doNotFake: [
      'nextTick',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}
