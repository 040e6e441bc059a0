/**
 * The public wire types (jsii interfaces with enums) are the contract's own types (contract/), so the
 * library and the Lambdas cannot disagree on a field. What is checked here is what the compiler does
 * not get for free: that the Lambdas build the public types, and that the library exports exactly the
 * contract's definitions. These checks are compile-time: `npm run typecheck` fails when they break.
 */
import type * as publicApi from '../../lib';
import { DatasetChannelInputMode, DatasetChannelSource, LaunchedTrainingJobStatus, S3InputMode, TrainingJobLaunchOutcome } from '../../lib';
import type * as launchContract from '../../contract/launch-request';
import type { LaunchResponse, S3ChannelInputMode } from '../../contract/launch-request';
import type * as trainingJobEvents from '../../contract/training-job-events';
import type * as ingestionContract from '../../contract/ingestion-events';
import type { ConvertedFacts, FailedFacts } from '../../lambda/src/ingestion/events';
import { convertedDetail, failedDetail } from '../../lambda/src/ingestion/events';
import { progressDetail, queuedDetail, startedDetail, type ConversionFacts } from '../../lambda/src/ingestion/conversion-status';
import { toStateChangedDetail } from '../../lambda/src/launcher/state-change';
import type { ConversionProgressUnit } from '../../contract/ingestion-events';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends (<X>() => X extends B ? 1 : 2) ? true : false;
const assertType = <T extends true>(): T | undefined => undefined;

// The library exports the contract's types themselves, not copies.
assertType<Equal<publicApi.TrainingJobLaunchRequest, launchContract.TrainingJobLaunchRequest>>();
assertType<Equal<publicApi.TrainingJobChannelRequest, launchContract.TrainingJobChannelRequest>>();
assertType<Equal<publicApi.TrainingJobLaunchResponse, launchContract.TrainingJobLaunchResponse>>();
assertType<Equal<publicApi.LaunchedTrainingJob, launchContract.LaunchedTrainingJob>>();
assertType<Equal<publicApi.TrainingJobStateChangedDetail, trainingJobEvents.TrainingJobStateChangedDetail>>();
assertType<Equal<publicApi.DatasetConvertedDetail, ingestionContract.DatasetConvertedDetail>>();
assertType<Equal<publicApi.DatasetConversionFailedDetail, ingestionContract.DatasetConversionFailedDetail>>();
assertType<Equal<publicApi.DatasetConversionQueuedDetail, ingestionContract.DatasetConversionQueuedDetail>>();

// The construct's S3InputMode reaches the launcher as an environment variable: the Lambda accepts exactly its values.
assertType<Equal<`${S3InputMode}`, `${S3ChannelInputMode}`>>();

// Every response and event the Lambdas send is a value of the public types.
const responseFits = (response: LaunchResponse): publicApi.TrainingJobLaunchResponse => response;
const stateChangeFits = (...args: Parameters<typeof toStateChangedDetail>): publicApi.TrainingJobStateChangedDetail | undefined => toStateChangedDetail(...args);
const convertedFits = (facts: ConvertedFacts): publicApi.DatasetConvertedDetail => convertedDetail(facts);
const failedFits = (facts: FailedFacts): publicApi.DatasetConversionFailedDetail => failedDetail(facts);
const queuedFits = (facts: ConversionFacts): publicApi.DatasetConversionQueuedDetail => queuedDetail(facts);
const startedFits = (facts: ConversionFacts): publicApi.DatasetConversionStartedDetail => startedDetail(facts, 3);
const progressFits = (facts: ConversionFacts, unit: ConversionProgressUnit): publicApi.DatasetConversionProgressDetail => progressDetail(facts, unit, 1, 2);

test('the public wire types and the Lambdas agree (checked by the compiler; see npm run typecheck)', () => {
  expect([responseFits, stateChangeFits, convertedFits, failedFits, queuedFits, startedFits, progressFits].every((check) => typeof check === 'function')).toBe(true);
  // The wire values of the enums, which clients written in other languages send and match on.
  expect(Object.values(TrainingJobLaunchOutcome).sort()).toEqual(['failed', 'launched', 'partial', 'rejected']);
  expect(Object.values(LaunchedTrainingJobStatus).sort()).toEqual(['already-launched', 'created', 'failed']);
  expect(Object.values(DatasetChannelSource).sort()).toEqual(['fileSystem', 's3']);
  expect(Object.values(DatasetChannelInputMode).sort()).toEqual(['FastFile', 'File', 'Pipe']);
});
