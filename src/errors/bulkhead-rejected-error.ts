import { LifelineError } from './lifeline-error.js';

/** A bulkhead had no free slot and no room in its queue: the call was not made. Class `rate_limit`. */
export class BulkheadRejectedError extends LifelineError {
  constructor(
    readonly maxConcurrent: number,
    readonly maxQueue: number,
  ) {
    super(
      'BULKHEAD_REJECTED',
      'rate_limit',
      `Bulkhead full: ${maxConcurrent} call${maxConcurrent === 1 ? '' : 's'} running (maxConcurrent ${maxConcurrent}) and ${maxQueue} queued (maxQueue ${maxQueue}).`,
    );
  }
}
