import { z } from 'zod';
import { Activity, Smartlink, SmartlinkSettings } from '@reps/contracts';

/** The response envelopes of the SmartLink and activity operations (documentation only: bodies are relayed as they are). */

const pagination = z.object({
  limit: z.int().min(1).max(100),
  next_cursor: z
    .string()
    .nullable()
    .meta({ description: 'Pass as `cursor` for the next page; null on the last page' }),
});

export const SmartlinkResponse = z.object({ smartlink: Smartlink }).meta({ title: 'SmartlinkResponse' });

export const SmartlinkListResponse = z
  .object({ smartlinks: z.array(Smartlink), meta: z.object({ pagination, request_id: z.string() }) })
  .meta({ title: 'SmartlinkListResponse' });

export const SmartlinkSettingsResponse = z
  .object({ smartlink_settings: SmartlinkSettings })
  .meta({ title: 'SmartlinkSettingsResponse' });

export const ActivityListResponse = z
  .object({
    activities: z.array(Activity).meta({ description: 'Newest first' }),
    meta: z.object({ pagination, request_id: z.string() }),
  })
  .meta({ title: 'ActivityListResponse' });

export const ActivityAcceptedResponse = z
  .object({ status: z.literal('accepted'), meta: z.object({ request_id: z.string() }) })
  .meta({ title: 'ActivityAcceptedResponse' });

export const SMARTLINK_RESPONSE_SCHEMAS: [string, z.ZodType][] = [
  ['Smartlink', Smartlink],
  ['SmartlinkResponse', SmartlinkResponse],
  ['SmartlinkListResponse', SmartlinkListResponse],
  ['SmartlinkSettingsResponse', SmartlinkSettingsResponse],
  ['Activity', Activity],
  ['ActivityListResponse', ActivityListResponse],
  ['ActivityAcceptedResponse', ActivityAcceptedResponse],
];
