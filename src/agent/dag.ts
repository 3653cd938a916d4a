// The DAG helper (issue 8 §8): each node a durable step, at most maxConcurrency at once, a failed
// node's dependents skipped with the reason. Replay is deterministic because the node steps are
// called in one fixed order (dag-plan.ts) whatever order they finish in: a step's identity is
// its call index (run-context.ts), so starting nodes as others happen to finish would give the
// replay (where recorded steps resolve at once, in call order) other indexes than the first run.
import { StepFailedError } from '../errors/workflow-errors.js';
import type { WorkflowContext } from '../workflow/context.js';
import { planDag, type DagOptions } from './dag-plan.js';
import { missing, reasonOf } from './missing.js';

export interface DagResult {
  /** Results of the nodes that succeeded. */
  results: Record<string, unknown>;
  /** Nodes whose step failed (after its retries), with why. */
  failed: Record<string, string>;
  /** Nodes not run because a node they need failed or was skipped, with why. */
  skipped: Record<string, string>;
  /** Every node: its result, or a Missing with the reason (feeds Degradation.assemble). */
  inputs: Record<string, unknown>;
}

type State = { status: 'pending' } | { status: 'ok'; value: unknown } | { status: 'failed' | 'skipped'; reason: string };

export function runDag(ctx: WorkflowContext, options: DagOptions): Promise<DagResult> {
  const plan = planDag(options); // before anything runs
  const states = new Map<string, State>(plan.order.map((n) => [n, { status: 'pending' }]));
  let next = 0;
  let running = 0;
  return new Promise<DagResult>((resolve, reject) => {
    let broken = false;
    const pump = (): void => {
      while (!broken && next < plan.order.length) {
        const node = plan.order[next]!;
        const deps = plan.needs.get(node)!;
        const depStates = deps.map((d) => [d, states.get(d)!] as const);
        if (depStates.some(([, s]) => s.status === 'pending')) return; // the order waits for it
        const blocked = depStates.find(([, s]) => s.status === 'failed' || s.status === 'skipped');
        if (blocked) {
          const [dep, s] = blocked as readonly [string, { status: 'failed' | 'skipped'; reason: string }];
          states.set(node, {
            status: 'skipped',
            reason: s.status === 'failed' ? `needs "${dep}", which failed: ${s.reason}` : `needs "${dep}", which was skipped: ${s.reason}`,
          });
          next++;
          continue;
        }
        if (running >= plan.maxConcurrency) return;
        next++;
        running++;
        const inputs = Object.fromEntries(depStates.map(([d, s]) => [d, (s as { value: unknown }).value]));
        const spec = options.nodes[node]!;
        ctx
          .step(`${plan.name}:${node}`, (info) => spec.run(inputs, info), spec.step)
          .then(
            (value) => settled(node, { status: 'ok', value }),
            (error: unknown) => {
              if (error instanceof StepFailedError) settled(node, { status: 'failed', reason: reasonOf(error) });
              else {
                broken = true;
                reject(error instanceof Error ? error : new Error(String(error)));
              }
            },
          );
      }
      if (running === 0 && next === plan.order.length) resolve(collect(plan.order, states));
    };
    const settled = (node: string, state: State): void => {
      states.set(node, state);
      running--;
      pump();
    };
    pump();
  });
}

function collect(order: readonly string[], states: ReadonlyMap<string, State>): DagResult {
  const result: DagResult = { results: {}, failed: {}, skipped: {}, inputs: {} };
  for (const node of order) {
    const s = states.get(node)!;
    if (s.status === 'ok') result.results[node] = result.inputs[node] = s.value;
    else if (s.status === 'failed' || s.status === 'skipped') {
      result[s.status][node] = s.reason;
      result.inputs[node] = missing(s.reason);
    }
  }
  return result;
}
