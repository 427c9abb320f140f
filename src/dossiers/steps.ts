// The served document keeps the newest 1,000 steps (canonical.md, "steps"): the full history stays in the dossier's
// timeline and changes, so a status change is never refused for the history's size.
import type { Step } from '../canonical/types.js';

export const SERVED_STEPS = 1000;

/** The newest SERVED_STEPS of a history in time order. */
export function servedSteps(steps: Step[]): Step[] {
  return steps.length > SERVED_STEPS ? steps.slice(steps.length - SERVED_STEPS) : steps;
}
