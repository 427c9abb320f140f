// The served document keeps the newest 1,000 steps (canonical.md, "steps"): the full history stays in the dossier's
// timeline and changes, so a status change is never refused for the history's size.
import type { Step } from '../canonical/types.js';

export const SERVED_STEPS = 1000;

/** The newest SERVED_STEPS of a history in time order. */
export function servedSteps(steps: Step[]): Step[] {
  return steps.length > SERVED_STEPS ? steps.slice(steps.length - SERVED_STEPS) : steps;
}

type LegacyStep = Step & { deadlineAt?: string };

/**
 * Input: a step's `deadlineAt` (the former name) is read as `dueAt`; both, differing, is a 422 HUB_VALIDATION at
 * `/steps/i/deadlineAt` (canonical.md). Returns the steps with `dueAt` only (outputs never write `deadlineAt`).
 */
export function readStepDeadlines(steps: readonly LegacyStep[] | undefined, fail: (i: number) => never): Step[] | undefined {
  if (!steps?.some((s) => s.deadlineAt !== undefined)) return steps as Step[] | undefined;
  return steps.map((s, i) => {
    if (s.deadlineAt === undefined) return s;
    const { deadlineAt, ...rest } = s;
    if (rest.dueAt !== undefined && rest.dueAt !== deadlineAt) fail(i);
    return { ...rest, dueAt: rest.dueAt ?? deadlineAt };
  });
}

/**
 * A stored dossier as served today: steps stored before the rename keep their meaning with `deadlineAt` served as
 * `dueAt` (the stored row is not rewritten; the next change stores the new name).
 */
export function asServed<T extends { steps?: LegacyStep[] }>(d: T): T {
  if (!d.steps?.some((s) => s.deadlineAt !== undefined)) return d;
  return { ...d, steps: d.steps.map(({ deadlineAt, ...s }) => (deadlineAt === undefined ? s : { ...s, dueAt: s.dueAt ?? deadlineAt })) };
}
