import type { Router } from 'express';
import type { Db } from 'mongodb';
import { resolveSmartlinkTokenKey, type TokenVerifier } from '@reps/auth';
import type { ContactEvent, SmartlinkEvent } from '@reps/contracts';
import type { EventBus } from '@reps/kafka';
import type { Logger } from '@reps/observability';
import { Counter, type Registry } from 'prom-client';
import { openAggregateStreams, type StreamSettings } from '../event-store/aggregate-streams';
import type { EventStore } from '../event-store/mongo-event-store';
import type { OutboxRelay } from '../event-store/outbox-relay';
import { idAllocatorIn } from '../ids/id-allocator';
import type { IdempotencyStore } from '../idempotency/idempotency-store';
import { createSmartlinkCommandHandler } from './smartlink-command-handler';
import type { SmartlinkCommandConfig } from './smartlink-config';
import { createSmartlinkRoutes } from './smartlink-routes';
import {
  createSmartlinkHeads,
  createSmartlinkSettings,
  createTokenIndex,
  type SmartlinkHeadDoc,
  type SmartlinkSettingsDoc,
  type SmartlinkTokenDoc,
} from './smartlink-stores';

export interface SmartlinksDeps {
  db: Db;
  bus: Pick<EventBus, 'admin'>;
  config: SmartlinkCommandConfig & { NODE_ENV: string };
  contactStore: EventStore<ContactEvent>;
  idempotency: IdempotencyStore;
  verifier: TokenVerifier;
  clock: () => Date;
  logger: Logger;
  metrics: Registry;
  /** The process's shared stream settings (relay interval, flush size, server traits). */
  streams: StreamSettings;
}

export interface Smartlinks {
  relays: OutboxRelay<SmartlinkEvent>[];
  routes(): Router[];
}

/**
 * The SmartLink write side and public tracking, wired in one place: its streams, outbox and relay
 * (publishing on `crm.smartlinks.v1`), id allocator, token lookup, stream heads and the companies'
 * allowed hosts. It lives in contacts-command beside contacts and groups (see docs/smartlinks.md).
 */
export async function createSmartlinks(deps: SmartlinksDeps): Promise<Smartlinks> {
  const { db, config, clock, logger, metrics } = deps;
  if (config.SMARTLINK_ALLOW_HTTP_TARGETS && config.NODE_ENV === 'production') {
    throw new Error(
      'SMARTLINK_ALLOW_HTTP_TARGETS=true is refused when NODE_ENV=production (targets must be https)',
    );
  }
  const admin = await deps.bus.admin();
  // Events feed rebuilds from offset 0, so the topic keeps them forever.
  await admin.ensureTopics([
    { name: config.SMARTLINKS_TOPIC, partitions: config.SMARTLINKS_TOPIC_PARTITIONS, retentionMs: -1 },
  ]);
  await admin.close();

  const { store, relay, commits } = await openAggregateStreams<SmartlinkEvent>(db, {
    aggregate: 'smartlink',
    topic: config.SMARTLINKS_TOPIC,
    ...deps.streams,
  });
  const notRecorded = new Counter({
    name: 'smartlink_opens_not_recorded_total',
    help: 'Opens redirected without being recorded (every retry lost the race for the link stream)',
    registers: [metrics],
  });
  const settings = createSmartlinkSettings(
    db.collection<SmartlinkSettingsDoc>('smartlink_settings'),
    config.SMARTLINK_DEFAULT_ALLOWED_HOSTS,
  );
  const handler = createSmartlinkCommandHandler({
    store,
    commits,
    contacts: deps.contactStore,
    heads: createSmartlinkHeads(db.collection<SmartlinkHeadDoc>('smartlink_heads'), store),
    tokens: createTokenIndex(db.collection<SmartlinkTokenDoc>('smartlink_tokens')),
    settings,
    tokenKey: resolveSmartlinkTokenKey(config, config.NODE_ENV, (message) => logger.warn(message)),
    allowHttp: config.SMARTLINK_ALLOW_HTTP_TARGETS,
    clock,
    onOpenNotRecorded: (error) => {
      notRecorded.inc();
      logger.warn({ err: error }, 'SmartLink open redirected but not recorded');
    },
  });
  return {
    relays: [relay],
    routes: () => [
      createSmartlinkRoutes({
        handler,
        settings,
        ids: idAllocatorIn(db, 'smartlink'),
        idempotency: deps.idempotency,
        verifier: deps.verifier,
        clock,
        publicBaseUrl: config.PUBLIC_BASE_URL,
      }),
    ],
  };
}
