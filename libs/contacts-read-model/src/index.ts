export * from './read-model-doc';
export * from './read-model-catalog';
export * from './testing/contact-event-factory';
export * from './group-read-doc';
export * from './group-joins';
export * from './testing/group-event-factory';
export * from './activity-read-doc';
export * from './smartlink-read-doc';
