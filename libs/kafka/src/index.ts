export type {
  ConsumerOptions,
  EventBus,
  EventConsumer,
  EventProducer,
  IncomingBatch,
  IncomingMessage,
  OutgoingMessage,
  TopicAdmin,
  TopicSpec,
} from './event-bus';
export { createKafkaEventBus, type KafkaBusOptions } from './kafkajs-event-bus';
