/** Longest message, announcement or reply body, in characters (a surrogate pair counts once). */
export const MAX_BODY_CHARACTERS = 10_000;

/** Longest reason a reporter may give for reporting a message. */
export const MAX_REPORT_REASON_CHARACTERS = 2_000;

/**
 * The AAD each stored body is sealed with: it names the row, so a ciphertext copied into another row
 * (another person's message) fails to decrypt instead of being shown.
 */
export const bodyAad = {
  message: (messageId: string) => `message:${messageId}`,
  announcement: (announcementId: string) => `announcement:${announcementId}`,
} as const;
