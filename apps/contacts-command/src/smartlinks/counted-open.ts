/**
 * Which requests to `/l/:token` count as an open (DESIGN §6: a bot or prefetch does not). Not
 * counted, though answered the same (302 or 404):
 * - `HEAD` (link checkers, some mail clients);
 * - browser prefetch/prerender: `Purpose: prefetch`, `Sec-Purpose: prefetch…`, `X-Purpose: preview`,
 *   `X-Moz: prefetch`;
 * - link-preview and crawler user agents (chat apps unfurling a pasted link, search engines):
 *   any User-Agent matching {@link PREVIEW_AGENT}.
 * A request without a User-Agent counts: some in-app browsers send none.
 */
export const PREVIEW_AGENT =
  /bot\b|crawler|spider|slurp|facebookexternalhit|facebookcatalog|whatsapp|telegrambot|slackbot|slack-imgproxy|twitterbot|discordbot|linkedinbot|skypeuripreview|microsoftpreview|teams|embedly|iframely|pinterest|redditbot|applebot|googlebot|google-inspectiontool|bingbot|bingpreview|yandex|baiduspider|duckduckbot|vkshare|snapchat|viber|line-poker|outlook|preview|curl\/|wget\/|python-requests|headlesschrome/i;

export function isCountedOpen(method: string, header: (name: string) => string | undefined): boolean {
  if (method !== 'GET') return false;
  const purpose = `${header('purpose') ?? ''} ${header('sec-purpose') ?? ''} ${header('x-purpose') ?? ''} ${header('x-moz') ?? ''}`;
  if (/prefetch|prerender|preview/i.test(purpose)) return false;
  const agent = header('user-agent');
  return agent === undefined || !PREVIEW_AGENT.test(agent);
}
