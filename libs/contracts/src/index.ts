export * from './contacts/contact-fields';
export * from './contacts/contact-resource';
export * from './contacts/contact-bodies';
export * from './contacts/contact-events';
export * from './contacts/contact-list-query';
export * from './validation/parse-body';
export * from './event-docs/generate-event-docs';
