import type { Collection, Db } from 'mongodb';
import { PUSH_SUBSCRIPTIONS_MAX, type PushRecipient, type PushSubscriptionResource } from '@reps/contracts';
import { ConflictError } from '@reps/errors';
import { isDuplicateKeyError } from '@reps/mongo';
import type { WithLock } from './rep-lock';

/**
 * A rep's devices, all in one document `_id = "<company>:<user>"`: every read and write is an
 * `_id` lookup (the only indexed filter on FerretDB), the 20-per-rep limit is checked inside the
 * document, and one rep can never reach another's subscription — ids are per rep. A change is a
 * read-modify-write under a per-rep lock (FerretDB's conditional replace is not atomic), and
 * still compare-and-set on `version` where the server honours it, so two devices subscribing at
 * once both land and the limit holds.
 */
export interface StoredSubscription {
  id: number;
  endpoint: string;
  p256dh: string;
  auth: string;
  label: string | null;
  expiration_time: string | null;
  created_at: string;
}

interface RepSubscriptionsDoc {
  _id: string;
  company_id: number;
  user_id: number;
  next_id: number;
  version: number;
  subscriptions: StoredSubscription[];
}

export const repKey = (rep: PushRecipient) => `${rep.company_id}:${rep.user_id}`;

export function toSubscriptionResource(sub: StoredSubscription): PushSubscriptionResource {
  return {
    id: sub.id,
    endpoint: sub.endpoint,
    label: sub.label,
    expiration_time: sub.expiration_time,
    created_at: sub.created_at,
  };
}

export interface SubscriptionStore {
  list(rep: PushRecipient): Promise<StoredSubscription[]>;
  /** Adds one, or refreshes the keys and label of the same endpoint (`created: false`). */
  upsert(
    rep: PushRecipient,
    input: Omit<StoredSubscription, 'id' | 'created_at'>,
    now: Date,
  ): Promise<{ subscription: StoredSubscription; created: boolean }>;
  remove(rep: PushRecipient, id: number): Promise<boolean>;
}

const MAX_CAS_TRIES = 10;

export function createSubscriptionStore(db: Db, withLock: WithLock): SubscriptionStore {
  const collection: Collection<RepSubscriptionsDoc> = db.collection('push_subscriptions');

  /** Read, change, compare-and-set; retried when another request changed the document meanwhile. */
  function change<T>(
    rep: PushRecipient,
    apply: (doc: RepSubscriptionsDoc) => { doc: RepSubscriptionsDoc; result: T } | { unchanged: T },
  ): Promise<T> {
    return withLock(repKey(rep), () => changeLocked(rep, apply));
  }

  async function changeLocked<T>(
    rep: PushRecipient,
    apply: (doc: RepSubscriptionsDoc) => { doc: RepSubscriptionsDoc; result: T } | { unchanged: T },
  ): Promise<T> {
    for (let attempt = 0; attempt < MAX_CAS_TRIES; attempt += 1) {
      const current =
        (await collection.findOne({ _id: repKey(rep) })) ??
        ({
          _id: repKey(rep),
          company_id: rep.company_id,
          user_id: rep.user_id,
          next_id: 1,
          version: 0,
          subscriptions: [],
        } satisfies RepSubscriptionsDoc);
      const outcome = apply(current);
      if ('unchanged' in outcome) return outcome.unchanged;
      const next = { ...outcome.doc, version: current.version + 1 };
      if (current.version === 0) {
        try {
          await collection.insertOne(next);
          return outcome.result;
        } catch (error) {
          if (isDuplicateKeyError(error)) continue;
          throw error;
        }
      }
      const { matchedCount } = await collection.replaceOne(
        { _id: current._id, version: current.version },
        next,
      );
      if (matchedCount === 1) return outcome.result;
    }
    throw new ConflictError(
      'The push subscriptions changed concurrently too often; try again',
      'concurrent_modification',
    );
  }

  return {
    async list(rep) {
      return (await collection.findOne({ _id: repKey(rep) }))?.subscriptions ?? [];
    },
    upsert(rep, input, now) {
      return change<{ subscription: StoredSubscription; created: boolean }>(rep, (doc) => {
        const existing = doc.subscriptions.find((sub) => sub.endpoint === input.endpoint);
        if (existing) {
          const refreshed = { ...existing, ...input };
          return {
            doc: {
              ...doc,
              subscriptions: doc.subscriptions.map((sub) => (sub.id === existing.id ? refreshed : sub)),
            },
            result: { subscription: refreshed, created: false },
          };
        }
        if (doc.subscriptions.length >= PUSH_SUBSCRIPTIONS_MAX)
          throw new ConflictError(
            `A rep has at most ${PUSH_SUBSCRIPTIONS_MAX} push subscriptions; delete one first`,
            'push_subscriptions_limit',
          );
        const subscription = { id: doc.next_id, ...input, created_at: now.toISOString() };
        return {
          doc: { ...doc, next_id: doc.next_id + 1, subscriptions: [...doc.subscriptions, subscription] },
          result: { subscription, created: true },
        };
      });
    },
    remove(rep, id) {
      return change<boolean>(rep, (doc) =>
        doc.subscriptions.some((sub) => sub.id === id)
          ? { doc: { ...doc, subscriptions: doc.subscriptions.filter((sub) => sub.id !== id) }, result: true }
          : { unchanged: false },
      );
    },
  };
}
