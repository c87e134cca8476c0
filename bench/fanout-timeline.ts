import { type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

/** Where one fan-out's time went, from its workflow history (every continue-as-new run of it). */
export interface FanOutTimeline {
  /** POST sent → the first run's WorkflowExecutionStarted. */
  postToWorkflowStartMs: number;
  /** First run's start → last run's close. */
  workflowMs: number;
  runs: number;
  workflowTasks: { count: number; waitMs: Stat; runMs: Stat };
  /** Per activity type: schedule-to-start (queue and slot wait) and start-to-close of the last attempt. */
  activities: Record<string, { count: number; waitMs: Stat; runMs: Stat; retried: number }>;
  /** Timeouts and failures in the history (workflow task or activity), by event type. */
  trouble: Record<string, number>;
}

export interface Stat {
  total: number;
  max: number;
}

const TROUBLE = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
]);

export async function timelineOf(
  client: Client,
  workflowId: string,
  postedAt: number,
): Promise<FanOutTimeline> {
  // The latest run first, then back along continue-as-new to the first.
  const runs: HistoryEvent[][] = [];
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runs.unshift(events);
    const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) break;
    runId = previous;
  }
  const timeline: FanOutTimeline = {
    postToWorkflowStartMs: 0,
    workflowMs: 0,
    runs: runs.length,
    workflowTasks: { count: 0, waitMs: stat(), runMs: stat() },
    activities: {},
    trouble: {},
  };
  const firstEvent = runs[0]![0];
  const lastRun = runs[runs.length - 1]!;
  timeline.postToWorkflowStartMs = round(ms(firstEvent) - postedAt);
  timeline.workflowMs = round(ms(lastRun[lastRun.length - 1]) - ms(firstEvent));
  for (const events of runs) {
    const byId = new Map(events.map((e) => [Number(e.eventId), e]));
    for (const event of events) {
      const type = Number(event.eventType);
      if (TROUBLE.has(type)) {
        const name = EventType[type] ?? String(type);
        timeline.trouble[name] = (timeline.trouble[name] ?? 0) + 1;
      }
      if (type === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
        const scheduled = byId.get(Number(event.workflowTaskStartedEventAttributes?.scheduledEventId));
        timeline.workflowTasks.count++;
        add(timeline.workflowTasks.waitMs, ms(event) - ms(scheduled));
      } else if (type === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
        const started = byId.get(Number(event.workflowTaskCompletedEventAttributes?.startedEventId));
        add(timeline.workflowTasks.runMs, ms(event) - ms(started));
      } else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        const attributes = event.activityTaskCompletedEventAttributes;
        const scheduled = byId.get(Number(attributes?.scheduledEventId));
        const started = byId.get(Number(attributes?.startedEventId));
        const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        const entry = (timeline.activities[name] ??= { count: 0, waitMs: stat(), runMs: stat(), retried: 0 });
        entry.count++;
        if ((started?.activityTaskStartedEventAttributes?.attempt ?? 1) > 1) entry.retried++;
        add(entry.waitMs, ms(started) - ms(scheduled));
        add(entry.runMs, ms(event) - ms(started));
      }
    }
  }
  return timeline;
}

function ms(event: HistoryEvent | undefined): number {
  const time = event?.eventTime;
  if (!time) return Number.NaN;
  return Number(time.seconds ?? 0) * 1_000 + (time.nanos ?? 0) / 1e6;
}

function stat(): Stat {
  return { total: 0, max: 0 };
}

function add(s: Stat, value: number): void {
  s.total = round(s.total + value);
  s.max = round(Math.max(s.max, value));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
