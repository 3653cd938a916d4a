// The run page's parts from issue 12 (docs/time-travel.md): the "Rewind to this step" form of a
// step row, the results earlier generations set aside (lifeline.listStepGenerations), the run's
// compensation state with its "Roll back" form, and its messages (Store.listSignals), read or unread.
import { RAN_WITH_COMPENSATION } from '../../insight/ran-with.js';
import { COMPENSATION_PREFIX, retryRefusal } from '../../store/compensation.js';
import { isTerminal } from '../../store/lifecycle.js';
import type { StepGenerationRecord } from '../../store/rewind.js';
import type { RunRecord, SignalRecord, StepRecord } from '../../store/types.js';
import type { DashboardContext } from '../context.js';
import { preview, statusCell } from '../format.js';
import { markup, type HtmlValue } from '../html.js';
import { badge, csrfField, table, time } from '../layout.js';

export function isCompensationStep(stepId: string): boolean {
  return stepId.startsWith(COMPENSATION_PREFIX);
}

/** A completed step that declared a compensation which has not run yet. */
function compensable(step: StepRecord, steps: readonly StepRecord[]): boolean {
  return (
    step.status === 'completed' &&
    ((step.ranWith ?? 0) & RAN_WITH_COMPENSATION) !== 0 &&
    !steps.some((s) => s.stepId === `${COMPENSATION_PREFIX}${step.stepId}`)
  );
}

/** Whether the page offers "Roll back": as Store.requestCompensation would accept it. */
export function canRollBack(run: RunRecord, steps: readonly StepRecord[]): boolean {
  return (run.status === 'completed' || run.status === 'failed') && run.compensation === undefined && steps.some((s) => compensable(s, steps));
}

/** Whether the step rows offer "Rewind to this step": a finished run whose steps were not compensated. */
export function canRewind(run: RunRecord): boolean {
  return isTerminal(run.status) && retryRefusal(run) === null;
}

/** The badges a step row's summary carries: a compensation step, a step that declared one. */
export function stepMarks(step: StepRecord | undefined, id: string): HtmlValue {
  if (isCompensationStep(id)) return markup` <span class="badge warn" title="undoes ${id.slice(COMPENSATION_PREFIX.length)}">compensation</span>`;
  if (step && ((step.ranWith ?? 0) & RAN_WITH_COMPENSATION) !== 0) return markup` <span class="badge muted">declares a compensation</span>`;
  return '';
}

export function rewindForm(ctx: DashboardContext, run: RunRecord, stepId: string): HtmlValue {
  if (!canRewind(run) || isCompensationStep(stepId)) return '';
  return markup`<form method="post" action="/runs/${encodeURIComponent(run.id)}/rewind" class="action rewind">
    ${csrfField(ctx.csrfSecret)}<input type="hidden" name="to" value="${stepId}" />
    <button type="submit" aria-label="Rewind to this step (${stepId})">Rewind to this step</button>
  </form>`;
}

export function compensationSection(ctx: DashboardContext, run: RunRecord, steps: readonly StepRecord[]): HtmlValue {
  const offer = canRollBack(run, steps);
  if (run.compensation === undefined && !offer) return '';
  return markup`<h2>Compensation</h2>
    ${
      run.compensation !== undefined
        ? markup`<p>Compensation ${badge({ text: run.compensation, tone: run.compensation === 'done' ? 'ok' : run.compensation === 'failed' ? 'bad' : 'info' })}</p>`
        : ''
    }
    ${
      offer
        ? markup`<form method="post" action="/runs/${encodeURIComponent(run.id)}/rollback" class="action">
            <p>Undo what the run did: its steps' compensations run, latest first; the run keeps its ${run.status} status.</p>
            ${csrfField(ctx.csrfSecret)}<button type="submit">Roll back</button>
          </form>`
        : ''
    }`;
}

export function generationsSection(generations: readonly StepGenerationRecord[]): HtmlValue {
  if (generations.length === 0) return '';
  return markup`<h2>Earlier generations</h2>
    ${table(
      'Step results rewinds set aside, oldest generation first',
      ['Generation', 'Step', 'Status', 'Set aside', 'Output'],
      generations.map((g) => [
        g.generation,
        markup`<span class="step-id">${g.stepId}</span>`,
        badge(statusCell(g.status)),
        time(g.setAsideAt),
        g.status === 'completed' ? preview(g.output, 300) : (g.error?.message ?? '').slice(0, 300),
      ]),
      '',
    )}`;
}

export function messagesSection(signals: readonly SignalRecord[]): HtmlValue {
  if (signals.length === 0) return '';
  const unread = signals.filter((s) => s.consumedByStep === null).length;
  return markup`<h2>Messages</h2>
    ${table(
      `Signals and messages sent to the run, in arrival order (${signals.length}, ${unread} unread)`,
      ['#', 'Name', 'From', 'Sent', 'Read by', 'Payload'],
      signals.map((s) => [
        s.id,
        s.name,
        s.senderRunId ? markup`<a href="/runs/${encodeURIComponent(s.senderRunId)}">${s.senderRunId}</a>` : markup`<span class="muted">outside</span>`,
        time(s.createdAt),
        s.consumedByStep ?? markup`<span class="badge warn">unread</span>`,
        preview(s.payload, 300),
      ]),
      '',
    )}`;
}
