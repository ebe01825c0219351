/** Time source. Everything that schedules or timestamps takes a Clock so tests and exercises can drive time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until moved (tests). */
export class ManualClock implements Clock {
  private t: number;
  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.t = new Date(start).getTime();
  }
  now() {
    return new Date(this.t);
  }
  set(to: Date | string) {
    this.t = new Date(to).getTime();
  }
  advance(ms: number) {
    this.t += ms;
  }
}

/**
 * YOJIN_CLOCK=ISO-TIME starts the process clock at that instant (it then runs at normal speed); used
 * by exercises and tests that drive escalation without waiting a week.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const spec = env.YOJIN_CLOCK;
  if (!spec) return systemClock;
  const start = Date.parse(spec);
  if (Number.isNaN(start)) throw new Error(`YOJIN_CLOCK=${spec} is not an ISO date-time`);
  const offset = start - Date.now();
  return { now: () => new Date(Date.now() + offset) };
}

export const DAY_MS = 86_400_000;
