import type { Collection } from 'mongodb';
import { hashSmartlinkToken } from '@reps/auth';
import type { SmartlinkEvent } from '@reps/contracts';
import { evolveSmartlinkAll, type SmartlinkState } from '@reps/contacts-domain';
import { isDuplicateKeyError } from '@reps/mongo';
import type { EventStore, StreamRead } from '../event-store/mongo-event-store';
import { smartlinkStream } from './smartlink-envelope';

/**
 * The SmartLink's command-side documents, each read by `_id` only (FerretDB answers nothing else
 * without a scan): the token lookup, the stream head (a snapshot) and the company's settings.
 */

/** `_id` = SHA-256 of the token (the token itself is stored nowhere): the public path's one lookup. */
export interface SmartlinkTokenDoc {
  _id: string;
  smartlink_id: number;
  /** The link's company, so its allowed hosts are read before the link itself. */
  tenant_company_id: number;
}

/**
 * The state after the stream's newest known commit. A SmartLink's stream grows by a commit per open,
 * so a command reads this and then only the commits after it (normally none). It is a hint, never
 * the truth: a head written late by a slower request may be older than the stream; the walk from it
 * catches up, and the commits' unique `_id` still decides every race.
 */
export interface SmartlinkHeadDoc {
  _id: number;
  version: number;
  last_commit_id: string | null;
  state: SmartlinkState;
}

export interface SmartlinkSettingsDoc {
  _id: number;
  allowed_hosts: string[];
  updated_at: Date;
}

export function createTokenIndex(tokens: Collection<SmartlinkTokenDoc>) {
  return {
    async register(token: string, smartlinkId: number, tenantCompanyId: number): Promise<void> {
      try {
        await tokens.insertOne({
          _id: hashSmartlinkToken(token),
          smartlink_id: smartlinkId,
          tenant_company_id: tenantCompanyId,
        });
      } catch (error) {
        // A retried create registers the same token for the same link.
        if (!isDuplicateKeyError(error)) throw error;
      }
    },
    /** The link a token opens, or null; one `_id` read either way. */
    async resolve(token: string): Promise<{ smartlinkId: number; tenantCompanyId: number } | null> {
      const doc = await tokens.findOne({ _id: hashSmartlinkToken(token) });
      return doc ? { smartlinkId: doc.smartlink_id, tenantCompanyId: doc.tenant_company_id } : null;
    },
  };
}
export type TokenIndex = ReturnType<typeof createTokenIndex>;

/** Loads a SmartLink from its head plus the commits after it, and moves the head on after a write. */
export function createSmartlinkHeads(heads: Collection<SmartlinkHeadDoc>, store: EventStore<SmartlinkEvent>) {
  return {
    async load(
      smartlinkId: number,
    ): Promise<{ read: StreamRead<SmartlinkEvent>; state: SmartlinkState | null }> {
      const head = await heads.findOne({ _id: smartlinkId });
      const stream = smartlinkStream(smartlinkId);
      const read = await store.readStreamAfter(stream, head?.version ?? 0, head?.last_commit_id ?? null);
      return { read, state: evolveSmartlinkAll(read.events, head?.state ?? null) };
    },
    async save(state: SmartlinkState, lastCommitId: string): Promise<void> {
      await heads.replaceOne(
        { _id: state.id },
        { version: state.version, last_commit_id: lastCommitId, state },
        { upsert: true },
      );
    },
  };
}
export type SmartlinkHeads = ReturnType<typeof createSmartlinkHeads>;

/** The company's allowed target hosts; a company that never set them gets the deployment's default. */
export function createSmartlinkSettings(
  settings: Collection<SmartlinkSettingsDoc>,
  defaultHosts: readonly string[],
) {
  return {
    async get(companyId: number): Promise<{ allowed_hosts: string[]; updated_at: Date | null }> {
      const doc = await settings.findOne({ _id: companyId });
      return doc
        ? { allowed_hosts: doc.allowed_hosts, updated_at: doc.updated_at }
        : { allowed_hosts: [...defaultHosts], updated_at: null };
    },
    async put(companyId: number, allowedHosts: string[], now: Date) {
      const hosts = [...new Set(allowedHosts)].sort();
      await settings.replaceOne(
        { _id: companyId },
        { allowed_hosts: hosts, updated_at: now },
        { upsert: true },
      );
      return { allowed_hosts: hosts, updated_at: now };
    },
  };
}
export type SmartlinkSettingsStore = ReturnType<typeof createSmartlinkSettings>;
