import { isCountedOpen } from './counted-open';

const headers = (values: Record<string, string>) => (name: string) => values[name];
const browser =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1';

describe('which /l/:token requests count as opens', () => {
  it('counts a browser GET, and a GET without a User-Agent', () => {
    expect(isCountedOpen('GET', headers({ 'user-agent': browser }))).toBe(true);
    expect(isCountedOpen('GET', headers({}))).toBe(true);
  });

  it('does not count HEAD', () => {
    expect(isCountedOpen('HEAD', headers({ 'user-agent': browser }))).toBe(false);
  });

  it.each<Record<string, string>>([
    { purpose: 'prefetch' },
    { 'sec-purpose': 'prefetch;prerender' },
    { 'sec-purpose': 'prefetch' },
    { 'x-purpose': 'preview' },
    { 'x-moz': 'prefetch' },
  ])('does not count a prefetch (%o)', (extra) => {
    expect(isCountedOpen('GET', headers({ 'user-agent': browser, ...extra }))).toBe(false);
  });

  it.each([
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
    'WhatsApp/2.23.20.0',
    'TelegramBot (like TwitterBot)',
    'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
    'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)',
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Twitterbot/1.0',
    'SkypeUriPreview Preview/0.5',
  ])('does not count the link-preview agent %s', (agent) => {
    expect(isCountedOpen('GET', headers({ 'user-agent': agent }))).toBe(false);
  });
});
