// Cron schedules, in UTC, evaluated by cron-parser.
import { CronExpressionParser } from 'cron-parser'

/** Throws `invalid cron schedule '<expr>': <why>` for what cron-parser refuses. */
export function validateSchedule(schedule: string): void {
  if (schedule.trim().split(/\s+/).length !== 5)
    throw new Error(
      `invalid cron schedule '${schedule}': five fields expected (minute hour day month weekday)`,
    )
  try {
    CronExpressionParser.parse(schedule, { tz: 'UTC' })
  } catch (error) {
    throw new Error(`invalid cron schedule '${schedule}': ${(error as Error).message}`)
  }
}

/** The first occurrence strictly after `after`. */
export function nextRunTime(schedule: string, after: Date): Date {
  return CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: after }).next().toDate()
}

/** The latest occurrence at or before `now`: the slot a late trigger queues (missed slots are not replayed). */
export function latestDueTime(schedule: string, now: Date): Date {
  // currentDate is exclusive for prev(); one millisecond on includes an occurrence exactly at `now`.
  return CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: new Date(now.getTime() + 1) })
    .prev()
    .toDate()
}
