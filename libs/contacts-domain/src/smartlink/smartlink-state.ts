import type { ShareableType } from '@reps/contracts';

/**
 * A SmartLink as the command side knows it. Opens and activities are facts about the link, not
 * changes to it: they only move `version` (the stream position); the counts are the read side's.
 */
export interface SmartlinkState {
  id: number;
  tenant_company_id: number;
  /** The rep who shared it. */
  user_id: number;
  contact_id: number;
  /** Whether the link's contact is company-visible (the envelope's `company_visible`). */
  company_visible: boolean;
  shareable_type: ShareableType;
  shareable_id: string;
  shareable_name: string | null;
  url: string;
  created_at: string;
  revoked_at: string | null;
  version: number;
}
