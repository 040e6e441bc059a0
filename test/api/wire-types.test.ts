/**
 * The public wire types (jsii interfaces with enums) must describe exactly what the Lambdas accept
 * and send. These checks are compile-time: `npm run typecheck` fails when the two drift apart.
 */
import type {
  DatasetConversionFailedDetail, DatasetConversionProgressDetail, DatasetConversionStartedDetail, DatasetConvertedDetail, TrainingJobLaunchRequest, TrainingJobLaunchResponse, TrainingJobStateChangedDetail,
} from '../../lib';
import { DatasetChannelInputMode, DatasetChannelSource, LaunchedTrainingJobStatus, TrainingJobLaunchOutcome } from '../../lib';
import type { ChannelInputMode, ChannelSource, LaunchRequest } from '../../contract/launch-request';
import type { JobStatus, LaunchResponse } from '../../contract/launch-request';
import type { TrainingJobStateChangedDetail as PublishedStateChange } from '../../contract/training-job-events';
import type { ConvertedFacts, FailedFacts } from '../../lambda/src/ingestion/events';
import { convertedDetail, failedDetail } from '../../lambda/src/ingestion/events';
import { progressDetail, startedDetail, type ConversionFacts } from '../../lambda/src/ingestion/conversion-status';
import type { ConversionProgressUnit } from '../../contract/ingestion-events';

/** A value as it travels in JSON: enums become their string values, arrays may be readonly. */
type Wire<T> = T extends string ? `${T}`
  : T extends readonly (infer U)[] ? readonly Wire<U>[]
    : T extends object ? { readonly [K in keyof T]: Wire<T[K]> }
      : T;
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends (<X>() => X extends B ? 1 : 2) ? true : false;
const assertType = <T extends true>(): T | undefined => undefined;

// Every request built with the public type is one the launcher's validator types accept.
const acceptsPublicRequest = (request: TrainingJobLaunchRequest): LaunchRequest => request;
// Every response and event the Lambdas send fits the public types.
const responseFits = (response: LaunchResponse): Wire<TrainingJobLaunchResponse> => response;
const stateChangeFits = (detail: PublishedStateChange): Wire<TrainingJobStateChangedDetail> => detail;
const convertedFits = (facts: ConvertedFacts): DatasetConvertedDetail => convertedDetail(facts);
const failedFits = (facts: FailedFacts): DatasetConversionFailedDetail => failedDetail(facts);
const startedFits = (facts: ConversionFacts): DatasetConversionStartedDetail => startedDetail(facts, 3);
const progressFits = (facts: ConversionFacts, unit: ConversionProgressUnit): DatasetConversionProgressDetail => progressDetail(facts, unit, 1, 2);

// Neither side has a field the other lacks.
assertType<Equal<keyof LaunchRequest, keyof TrainingJobLaunchRequest>>();
assertType<Equal<keyof PublishedStateChange, keyof TrainingJobStateChangedDetail>>();

// The enums list exactly the values the Lambdas use.
assertType<Equal<`${DatasetChannelSource}`, ChannelSource>>();
assertType<Equal<`${DatasetChannelInputMode}`, ChannelInputMode>>();
assertType<Equal<`${LaunchedTrainingJobStatus}`, JobStatus>>();
assertType<Equal<`${TrainingJobLaunchOutcome}`, LaunchResponse['outcome']>>();

test('the public wire types and the Lambdas agree (checked by the compiler; see npm run typecheck)', () => {
  expect([acceptsPublicRequest, responseFits, stateChangeFits, convertedFits, failedFits, startedFits, progressFits].every((check) => typeof check === 'function')).toBe(true);
  expect(Object.values(TrainingJobLaunchOutcome).sort()).toEqual(['failed', 'launched', 'partial', 'rejected']);
});
