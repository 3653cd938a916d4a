// ctx.receive(options) and ctx.tryReceive(options): which messages, and how long to wait.
import { checkArray, checkOptions, checkString, optionError, type FieldCheck } from './option-check.js';
import { duration } from './public-options.js';

const names: FieldCheck = (value, path) => {
  const list = checkArray(value, path);
  if (list.length === 0) throw optionError(path, 'must name at least one message, or be left out to read messages of any name (got [])');
  list.forEach((name, i) => checkString(name, `${path}[${i}]`, 256));
};

export function checkReceiveOptions(options: unknown, call: 'receive' | 'tryReceive'): void {
  checkOptions(options, `ctx.${call}`, call === 'receive' ? { names, timeout: duration } : { names });
}
