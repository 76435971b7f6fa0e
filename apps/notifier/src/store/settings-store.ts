import type { Collection, Db } from 'mongodb';
import {
  DEFAULT_NOTIFICATION_SETTINGS,
  type NotificationSettings,
  type NotificationSettingsBody,
  type PushRecipient,
} from '@reps/contracts';
import { repKey } from './subscription-store';

interface SettingsDoc extends NotificationSettings {
  _id: string;
}

/** Notification settings per rep, one document `_id = "<company>:<user>"`; absent means the defaults. */
export interface SettingsStore {
  get(rep: PushRecipient): Promise<NotificationSettings>;
  put(rep: PushRecipient, body: NotificationSettingsBody, now: Date): Promise<NotificationSettings>;
}

export function createSettingsStore(db: Db): SettingsStore {
  const collection: Collection<SettingsDoc> = db.collection('notification_settings');
  return {
    async get(rep) {
      const doc = await collection.findOne({ _id: repKey(rep) });
      if (!doc) return { ...DEFAULT_NOTIFICATION_SETTINGS };
      const { _id: _key, ...settings } = doc;
      return settings;
    },
    async put(rep, body, now) {
      const settings: NotificationSettings = { ...body, updated_at: now.toISOString() };
      await collection.replaceOne({ _id: repKey(rep) }, settings, { upsert: true });
      return settings;
    },
  };
}
