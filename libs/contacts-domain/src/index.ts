export * from './contact/actor';
export * from './contact/commands';
export * from './contact/contact-state';
export * from './contact/decide';
export * from './contact/domain-error';
export * from './contact/evolve';
