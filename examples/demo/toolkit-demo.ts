// Part 5 of `npm start`: the agent toolkit on one run of the market-report workflow, executed by a
// worker in this process on the demo's SQLite database. Every line is read back from what the
// run recorded (attempts, step records, run events), except the breaker's transitions, which
// are published on lifeline.events (the store keeps only the breaker's current row).
import { Lifeline, type EngineEvent, type EventMap } from '../../src/index.js';
import { fromJson } from '../../src/store/serialize.js';
import type { EventRecord } from '../../src/store/types.js';
import { breakers, MARKET_BREAKER, toolkitPipeline } from './toolkit-pipeline.js';

/** What the demo's "person" answers when the loop guard asks. */
export const HUMAN_NOTE = 'source: warehouse export, Q3';

function quote(text: string, max = 70): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max - 1)}…` : text);
}

function dataOf<K extends keyof EventMap>(events: EventRecord[], type: K): Array<EventMap[K] & { at: number }> {
  return events.filter((e) => e.type === type).map((e) => ({ ...fromJson<EventMap[K]>(e.data), at: e.at }));
}

/** Runs the market report and prints what each tool did; true when every fact was seen. */
export async function showToolkit(db: string, runId: string): Promise<boolean> {
  const lifeline = await Lifeline.open({ db, workflows: [toolkitPipeline], breakers });
  const started = Date.now();
  const at = (t: number) => `+${t - started} ms`;
  const breakerLines: Array<[number, string]> = [];
  let signalled = '';
  lifeline.events.on('event', (e: EngineEvent) => {
    // Times are in ms, so ties are common: break them by cause (the failure, then the opening, then
    // the deferral; the half-open grant, then the probe, then the closing).
    if (e.type === 'breaker.opened') breakerLines.push([e.at + 0.5, `breaker   ${e.data.key} opened at ${at(e.at)}: ${e.data.reason}`]);
    if (e.type === 'breaker.half_open') breakerLines.push([e.at - 0.5, `breaker   ${e.data.key} half-open at ${at(e.at)}: ${e.data.reason}`]);
    if (e.type === 'breaker.closed') breakerLines.push([e.at + 0.5, `breaker   ${e.data.key} closed at ${at(e.at)}: ${e.data.reason}`]);
    if (e.type === 'run.waiting' && e.runId === runId && e.data.signals.includes('loop:writer') && !signalled) {
      signalled = `signal    the demo answers as the person: loop:writer ${JSON.stringify(HUMAN_NOTE)}`;
      void lifeline.signal(runId, 'loop:writer', HUMAN_NOTE);
    }
  });
  lifeline.worker().start();
  const handle = await lifeline.start(toolkitPipeline, { topic: 'EU market entry' }, { runId });
  const result = await handle.result();
  const attempts = await lifeline.store.listAttempts(runId);
  const steps = await lifeline.store.getSteps(runId);
  const events = await lifeline.store.listEvents({ runId });
  const [breaker] = await lifeline.store.listBreakers([MARKET_BREAKER]);
  await lifeline.close();

  const lines: string[] = [];
  // Fallback: the attempt rows name the alternative and why the chain moved on.
  const summary = attempts.filter((a) => a.stepId === 'summary#0');
  const summaryOut = steps.find((s) => s.stepId === 'summary#0');
  for (const a of summary) {
    if (a.movedOn) lines.push(`fallback  summary#0 attempt ${a.attempt} → ${a.alternative}: ${a.outcome} after ${a.durationMs} ms (${a.movedOn})`);
    else if (a.outcome === 'succeeded')
      lines.push(
        `fallback  summary#0 attempt ${a.attempt} → ${a.alternative}: answered ${quote(fromJson<{ value: string }>(summaryOut?.output ?? null).value)}`,
      );
  }
  // Breaker, in time order: the failed attempts, the transitions, the deferral (a run event), the probe.
  const timeline: Array<[number, string]> = breakerLines.map(([t, text]) => [t, text]);
  for (const a of attempts.filter((x) => x.stepId === 'market#0')) {
    if (a.outcome === 'failed') timeline.push([a.startedAt, `breaker   market#0 attempt ${a.attempt} failed: ${a.errorClass}: ${a.errorMessage}`]);
    if (a.outcome === 'succeeded')
      timeline.push([
        a.startedAt,
        `breaker   market#0 attempt ${a.attempt} is the probe: succeeded; ${MARKET_BREAKER} is ${breaker?.data.state ?? 'unknown'} in the database`,
      ]);
  }
  for (const d of dataOf(events, 'step.deferred'))
    timeline.push([d.at + 0.75, `breaker   ${d.stepId} deferred while open (${d.gate}) until ${at(d.retryAt)}: the run sleeps, no attempt used`]);
  lines.push(...timeline.sort((x, y) => x[0] - y[0]).map(([, text]) => text));
  // Route: the step.routed event and the helper's own step record.
  for (const r of dataOf(events, 'step.routed')) {
    const helper = steps.find((s) => s.stepId === r.helper);
    const retry = steps.find((s) => s.stepId === r.retryStepId);
    lines.push(
      `route     ${r.stepId} failed (${r.errorClass}: ${r.message}) → ${r.helper} ${helper?.status}: ${quote(fromJson<string>(helper?.output ?? null))}`,
    );
    lines.push(`route     ${r.retryStepId} ${retry?.status}: ${quote(fromJson<string>(retry?.output ?? null))}`);
  }
  // Loop: the detection (a run event), the person's answer (a signal), the approved draft.
  for (const l of dataOf(events, 'run.loop_detected'))
    lines.push(`loop      ${l.guard}: ${l.kind} (${l.detail}) → escalation "${l.level}": the run waits for signal ${l.signal}`);
  if (signalled) lines.push(signalled);
  const writes = steps.filter((s) => s.name === 'write');
  const last = writes.at(-1);
  if (last) lines.push(`loop      resolved: draft ${writes.length} ${quote(fromJson<string>(last.output), 120)} approved by the reviewer`);
  // Degradation: the run.degraded event names the level and the missing sections.
  for (const d of dataOf(events, 'run.degraded')) {
    lines.push(`degraded  report ${d.name}: level ${d.level}, missing ${d.missing.map((m) => m.section).join(', ')}`);
    for (const m of d.missing) lines.push(`          - ${m.section}: ${m.reason}`);
  }
  lines.push(`report    ${result.level}: ${result.built.join(', ')}`);
  for (const line of lines) console.log(`  ${line}`);
  return result.level === 'BASIC' && breaker?.data.state === 'closed' && signalled !== '' && summary.some((a) => a.movedOn !== null);
}
