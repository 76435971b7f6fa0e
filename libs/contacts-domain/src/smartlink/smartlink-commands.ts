import type { ActivityItem, SmartlinkActivityType, SmartlinkCreateBody } from '@reps/contracts';
import type { Actor } from '../contact/actor';
import type { TargetPolicy } from './smartlink-target';

interface SmartlinkCommandBase {
  smartlinkId: number;
  /** ISO-8601 instant from the caller: the domain never reads a clock. */
  now: string;
}

/** What the caller found out about the contact named in the body (the domain does no lookups). */
export type SmartlinkContact =
  { eligibility: 'eligible'; companyVisible: boolean } | { eligibility: 'discarded' | 'not_found' };

export interface CreateSmartlink extends SmartlinkCommandBase {
  type: 'CreateSmartlink';
  actor: Actor;
  body: SmartlinkCreateBody;
  contact: SmartlinkContact;
  /** The company's allowed hosts at the time of the request. */
  policy: TargetPolicy;
}

export interface RevokeSmartlink extends SmartlinkCommandBase {
  type: 'RevokeSmartlink';
  actor: Actor;
}

/** Someone followed the public link (the caller already left out HEAD, prefetches and preview bots). */
export interface OpenSmartlink extends SmartlinkCommandBase {
  type: 'OpenSmartlink';
  userAgent: string | null;
  /** The company's allowed hosts now: a target the company no longer allows is not followed. */
  policy: TargetPolicy;
}

/** The company site reported what the contact did (the public beacon). */
export interface RecordSmartlinkActivity extends SmartlinkCommandBase {
  type: 'RecordSmartlinkActivity';
  activity: {
    type: SmartlinkActivityType;
    occurredAt: string;
    item: ActivityItem | null;
    properties: Record<string, unknown>;
  };
}

export type SmartlinkCommand = CreateSmartlink | RevokeSmartlink | OpenSmartlink | RecordSmartlinkActivity;
