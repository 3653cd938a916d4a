// A DAG's nodes checked and put in the one order their steps are called in: by depth (longest
// chain of dependencies above the node), then as declared. A cycle or an unknown dependency is
// an error naming the nodes, raised before any node runs.
import { checkArray, checkFunction, checkNumber, checkObject, checkOptions, checkString, optionError } from '../options/option-check.js';
import type { StepInfo, StepOptions } from '../workflow/context.js';

export interface DagNode {
  /** Nodes whose results this node needs; it runs after they all succeeded. */
  needs?: readonly string[];
  /** The node's work, a durable step; gets the results of `needs` by node name. */
  run: (deps: Record<string, unknown>, info: StepInfo) => unknown;
  /** Options of the node's step (retry, timeout, classifiers). */
  step?: StepOptions;
}

export interface DagOptions {
  nodes: Record<string, DagNode>;
  /** At most this many node steps at once. Default 4. */
  maxConcurrency?: number;
  /** Prefix of the node steps' names (`<name>:<node>`). Default `dag`. */
  name?: string;
}

export interface DagPlan {
  name: string;
  maxConcurrency: number;
  /** Every node, in call order. */
  order: string[];
  needs: ReadonlyMap<string, readonly string[]>;
}

const WHERE = 'dag';

export function planDag(options: DagOptions): DagPlan {
  const o = checkOptions(options, WHERE, {
    nodes: checkObject,
    maxConcurrency: (v, p) => void checkNumber(v, p, { min: 1, max: 1000, integer: true }),
    name: (v, p) => void checkString(v, p, 200),
  }) as Partial<DagOptions>;
  if (o.nodes === undefined) throw optionError(`${WHERE}.nodes`, 'is required (an object of nodes)');
  const names = Object.keys(o.nodes);
  if (names.length === 0) throw optionError(`${WHERE}.nodes`, 'must name at least one node (got {})');
  const needs = new Map<string, readonly string[]>();
  for (const name of names) {
    const path = `${WHERE}.nodes.${name}`;
    const node = checkOptions(o.nodes[name], path, { needs: checkArray, run: checkFunction, step: checkObject });
    if (node.run === undefined) throw optionError(`${path}.run`, 'is required (a function)');
    const deps = (node.needs ?? []) as unknown[];
    deps.forEach((dep, i) => {
      if (typeof dep !== 'string' || !names.includes(dep)) {
        throw optionError(`${path}.needs[${i}]`, `unknown node ${JSON.stringify(dep) ?? 'undefined'} (known: ${names.join(', ')})`);
      }
      if (dep === name) throw optionError(`${path}.needs[${i}]`, `a node cannot need itself (cycle: ${name} -> ${name})`);
    });
    needs.set(name, deps as string[]);
  }
  const depth = depths(names, needs);
  const order = [...names].sort((a, b) => depth.get(a)! - depth.get(b)! || names.indexOf(a) - names.indexOf(b));
  return { name: o.name ?? 'dag', maxConcurrency: o.maxConcurrency ?? 4, order, needs };
}

/** Longest dependency chain above each node; throws naming a cycle. */
function depths(names: readonly string[], needs: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const depth = new Map<string, number>();
  const onPath: string[] = [];
  const visit = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const at = onPath.indexOf(name);
    if (at >= 0) throw optionError(`${WHERE}.nodes`, `dependency cycle: ${[...onPath.slice(at), name].join(' -> ')}`);
    onPath.push(name);
    let d = 0;
    for (const dep of needs.get(name) ?? []) d = Math.max(d, visit(dep) + 1);
    onPath.pop();
    depth.set(name, d);
    return d;
  };
  for (const name of names) visit(name);
  return depth;
}
