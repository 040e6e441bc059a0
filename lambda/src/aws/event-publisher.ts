import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { PlatformEventDetails, PlatformEventType } from '../../../contract/platform-events';
import { eventMetrics, lambdaMetricSink, type MetricSink } from '../metrics';

/**
 * Puts one event at a time to an EventBridge bus; a rejected entry is an error (the message is
 * retried). Each event put is counted in the platform's metrics (conversions, failures, …).
 */
export class EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    readonly eventBusName: string,
    readonly source: string,
    private readonly metrics: MetricSink = lambdaMetricSink,
  ) {}

  async publish<T extends PlatformEventType>(detailType: T, detail: PlatformEventDetails[T], resources: readonly string[] = []): Promise<string> {
    const response = await this.client.send(new PutEventsCommand({
      Entries: [{
        EventBusName: this.eventBusName,
        Source: this.source,
        DetailType: detailType,
        Detail: JSON.stringify(detail),
        Resources: [...resources],
      }],
    }));
    const entry = response.Entries?.[0];
    if ((response.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
      throw new Error(`EventBridge rejected the ${detailType} event on bus ${this.eventBusName}: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
    }
    this.metrics(eventMetrics(this.eventBusName, detailType, detail));
    return entry.EventId;
  }
}
