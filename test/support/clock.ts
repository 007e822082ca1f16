/** A clock tests move by hand. */
import type { Clock } from '../../src/domain/clock.js';

export class TestClock implements Clock {
  constructor(private time = Date.parse('2026-11-22T08:00:00.000Z')) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  set(time: number | string): void {
    this.time = typeof time === 'string' ? Date.parse(time) : time;
  }
}
