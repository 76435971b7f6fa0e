/**
 * The SmartLink target rule (DESIGN §6), pure so the command side applies the same rule when a link
 * is created and again at every redirect (a host the company removed stops working at once: the
 * redirect is never open). A target is an absolute `https` URL (plain `http` only where the caller
 * allows it, i.e. outside production), without credentials, whose host is one of the company's
 * allowed hosts or a subdomain of one.
 */
export interface TargetPolicy {
  allowedHosts: readonly string[];
  allowHttp: boolean;
}

export type TargetCheck = { ok: true; url: string } | { ok: false; reason: string };

const MAX_LENGTH = 2048;

/** Whether `host` is `allowed` or a subdomain of it (`shop.example.com` under `example.com`, never `badexample.com`). */
export function hostMatches(host: string, allowed: string): boolean {
  return host === allowed || host.endsWith(`.${allowed}`);
}

export function checkTarget(raw: string, policy: TargetPolicy): TargetCheck {
  if (raw.length === 0 || raw.length > MAX_LENGTH)
    return { ok: false, reason: `must be 1–${MAX_LENGTH} characters` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f\\]/.test(raw))
    return { ok: false, reason: 'must not contain spaces, control characters or backslashes' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'must be an absolute URL' };
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    return { ok: false, reason: policy.allowHttp ? 'must be an http(s) URL' : 'must be an https URL' };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'must not carry credentials' };
  // WHATWG URL lowercases and punycodes the host and drops a trailing-dot-free form; a trailing dot is refused.
  const host = url.hostname;
  if (host === '' || host.endsWith('.')) return { ok: false, reason: 'must name a host' };
  if (!policy.allowedHosts.some((allowed) => hostMatches(host, allowed))) {
    return {
      ok: false,
      reason: "must be on one of the company's allowed hosts (smartlink_settings.allowed_hosts)",
    };
  }
  return { ok: true, url: url.href };
}
