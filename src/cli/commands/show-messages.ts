// `lifeline show`: the run's mailbox (issue 12 §6), every signal and message sent to it in
// arrival order, read (by which step) or unread.
import { fromJson } from '../../store/serialize.js';
import type { SignalRecord } from '../../store/types.js';
import { printTable } from './runs.js';

export interface ShownMessage {
  id: number;
  name: string;
  payload: unknown;
  /** The sending run, or null for a signal from outside. */
  from: string | null;
  messageId: string | null;
  sentAt: number;
  /** The step that read it (waitForSignal, receive), or null while unread. */
  readBy: string | null;
}

export function shownMessages(signals: readonly SignalRecord[]): ShownMessage[] {
  return signals.map((s) => ({
    id: s.id,
    name: s.name,
    payload: fromJson(s.payload),
    from: s.senderRunId,
    messageId: s.messageId,
    sentAt: s.createdAt,
    readBy: s.consumedByStep,
  }));
}

export function printMessages(messages: readonly ShownMessage[]): void {
  if (messages.length === 0) return;
  const unread = messages.filter((m) => m.readBy === null).length;
  process.stdout.write(`\nmessages (${messages.length}, ${unread} unread)\n`);
  printTable(
    ['ID', 'NAME', 'FROM', 'SENT', 'READ BY', 'PAYLOAD'],
    messages.map((m) => [
      String(m.id),
      m.name,
      m.from ?? '(outside)',
      new Date(m.sentAt).toISOString(),
      m.readBy ?? 'unread',
      JSON.stringify(m.payload).slice(0, 80),
    ]),
  );
}
