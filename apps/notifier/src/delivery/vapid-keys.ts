import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import webpush from 'web-push';
import type { Logger } from '@reps/observability';
import type { NotifierConfig } from '../config';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

const DEV_SUBJECT = 'mailto:notifier@example.com';

/**
 * The configured VAPID pair; outside production without one, a development pair generated once
 * into the (git-ignored) data folder, so subscriptions made in development survive restarts.
 * Production without keys never reaches here: the config refuses it.
 */
export async function resolveVapidKeys(config: NotifierConfig, logger: Logger): Promise<VapidKeys> {
  if (config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY) {
    return {
      publicKey: config.VAPID_PUBLIC_KEY,
      privateKey: config.VAPID_PRIVATE_KEY,
      subject: config.VAPID_SUBJECT ?? DEV_SUBJECT,
    };
  }
  const file = resolve(join(config.NOTIFIER_DATA_DIR, 'vapid-dev-keys.json'));
  let keys: { publicKey: string; privateKey: string };
  try {
    keys = JSON.parse(await readFile(file, 'utf8')) as { publicKey: string; privateKey: string };
  } catch {
    keys = webpush.generateVAPIDKeys();
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  }
  logger.warn(
    { file },
    'VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY are not set: using a DEVELOPMENT key pair from the data folder. ' +
      'Generate a real pair with `npm run vapid` and set them before going to production.',
  );
  return { ...keys, subject: config.VAPID_SUBJECT ?? DEV_SUBJECT };
}
