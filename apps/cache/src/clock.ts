/** Port: the time. Tests pass a fixed or stepping clock; decay and snapshots read it through here. */
export interface Clock {
  now(): number;
}
export const CLOCK = Symbol('Clock');
export const systemClock: Clock = { now: () => Date.now() };
