// LOOP: the cost of one loop-guard check (issue 8 §5, target < 0.1 ms): normalize the value
// (ids, UUIDs, hex, timestamps stripped), write its canonical JSON, SHA-256 it with the action
// and the state, and run every detection over a full window. In-memory guard: inside a workflow
// a check also commits one step, whose cost is W1's. Rounds of CHECKS checks, the median round.
import { median, round } from './common.js';
import { loopGuard } from '../src/index.js';

export interface LoopResult {
  checks: number;
  rounds: number;
  /** A typical agent turn (~1 KB: a message with ids, a timestamp, tool calls), with action and state. */
  msPerCheck: number;
  /** Process CPU time per ~1 KB check (user + system, median round): the part a busy machine does not inflate. */
  cpuMsPerCheck: number;
  /** The same with a ~10 KB value (diag.). */
  msPerCheckLarge: number;
  roundsMs: number[];
}

const CHECKS = 20_000;
const ROUNDS = 7;

function turn(i: number, size: number) {
  return {
    id: `msg_${i}`,
    createdAt: 1_764_496_800_000 + i,
    role: 'assistant',
    content: `Draft ${i % 7}: the quarterly report for request ${crypto.randomUUID()} at ${new Date(1_764_496_800_000 + i).toISOString()}. `.repeat(
      Math.max(1, Math.round(size / 140)),
    ),
    toolCalls: [{ id: `call_${i}`, name: 'search', arguments: { query: `sales q${i % 4}`, limit: 10 } }],
    usage: { inputTokens: 812, outputTokens: 233 },
  };
}

function timeRound(size: number): { wall: number; cpu: number } {
  const guard = loopGuard({ escalation: ['hint'] });
  const values = Array.from({ length: 64 }, (_, i) => turn(i, size));
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CHECKS; i++) {
    const value = values[i % 64]!;
    guard.check(value, { action: value.toolCalls[0], state: { step: i % 5 } });
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e6 / CHECKS;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 / CHECKS };
}

export function benchLoop(): LoopResult {
  timeRound(1000); // warm-up
  const rounds: number[] = [];
  const cpu: number[] = [];
  const large: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const typical = timeRound(1000);
    rounds.push(typical.wall);
    cpu.push(typical.cpu);
    large.push(timeRound(10_000).wall);
  }
  return {
    checks: CHECKS,
    rounds: ROUNDS,
    msPerCheck: round(median(rounds), 4),
    cpuMsPerCheck: round(median(cpu), 4),
    msPerCheckLarge: round(median(large), 4),
    roundsMs: rounds.map((r) => round(r, 4)),
  };
}
