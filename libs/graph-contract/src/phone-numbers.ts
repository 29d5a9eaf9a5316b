/** `GET /{waba-id}/phone_numbers` item (MMLITE.md §6). */
export interface GraphPhoneNumber {
  id: string;
  display_phone_number: string;
  verified_name?: string;
  /** GREEN | YELLOW | RED | UNKNOWN (kept open: Meta adds values). */
  quality_rating?: string;
  /** STANDARD | HIGH | NOT_APPLICABLE. */
  throughput?: { level: string };
  whatsapp_business_manager_messaging_limit?: string;
  messaging_limit_tier?: string;
  /** e.g. CONNECTED, PENDING, FLAGGED, RESTRICTED. */
  status?: string;
  code_verification_status?: string;
  name_status?: string;
  platform_type?: string;
}

export const PHONE_NUMBER_FIELDS =
  'id,display_phone_number,verified_name,quality_rating,throughput,whatsapp_business_manager_messaging_limit';

/** Messages per second Meta allows for a throughput level (§6.1). */
export function mpsForThroughputLevel(level: string | undefined): number {
  return level === 'HIGH' ? 1000 : 80;
}

/** Unique recipients per moving 24 h for a messaging-limit tier, or null when unlimited/unknown (§6.3). */
export function dailyLimitForTier(tier: string | undefined): number | null {
  switch (tier) {
    case 'TIER_50':
      return 50;
    case 'TIER_250':
      return 250;
    case 'TIER_1K':
      return 1000;
    case 'TIER_2K':
      return 2000;
    case 'TIER_10K':
      return 10000;
    case 'TIER_100K':
      return 100000;
    default:
      return null;
  }
}
