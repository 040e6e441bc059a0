import { CONVERSION_ABORTED_ERROR, CONVERSION_REJECTED_ERROR } from '../../../contract/distributed-conversion';

/**
 * A permanent failure (hostile or unreadable zip, unacceptable dataset, upload replaced): the
 * verdict is recorded under `failures/` and the state machine does not retry. Lambda reports the
 * error's `name` as its errorType, which the state machine's retriers and catchers match.
 */
export class ConversionRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = CONVERSION_REJECTED_ERROR;
  }
}

/** The failure handler aborted the conversion while this worker ran; its shards were removed. */
export class ConversionAbortedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = CONVERSION_ABORTED_ERROR;
  }
}
