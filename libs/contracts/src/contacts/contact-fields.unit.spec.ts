import { parseBody } from '../validation/parse-body';
import { UserContactUpdateBody } from './contact-bodies';
import { METADATA_MAX_BYTES, METADATA_MAX_DEPTH, isIanaTimeZone } from './contact-fields';

/** Parses `{ [field]: value }` as a user update: the message for that field, or the parsed value. */
function check(field: string, value: unknown): { message: string } | { value: unknown } {
  const result = parseBody(UserContactUpdateBody, { [field]: value });
  if (result.ok) return { value: (result.value as Record<string, unknown>)[field] };
  const issue = result.issues.find((candidate) => candidate.field === field);
  return { message: issue?.message ?? `no issue for ${field}: ${JSON.stringify(result.issues)}` };
}

const rejects = (field: string, value: unknown, message: RegExp) =>
  expect(check(field, value)).toEqual({ message: expect.stringMatching(message) });
const accepts = (field: string, value: unknown, parsed: unknown = value) =>
  expect(check(field, value)).toEqual({ value: parsed });

describe('contact field rules', () => {
  describe('names and address parts', () => {
    it.each(['first_name', 'last_name', 'address', 'address2', 'city', 'state', 'postal_code'])(
      '%s allows 100 characters, not 101',
      (field) => {
        accepts(field, 'x'.repeat(100));
        rejects(field, 'x'.repeat(101), /at most 100 characters/);
      },
    );

    it('trims surrounding whitespace', () => {
      accepts('first_name', '  Jane  ', 'Jane');
    });

    it('reads a blank string as null (no value), as HTML forms send untouched inputs', () => {
      accepts('last_name', '   ', null);
      accepts('city', '', null);
    });

    it('rejects non-text values', () => {
      rejects('first_name', 42, /must be text/);
    });
  });

  describe('free-text fields', () => {
    it.each(['best_time', 'reason', 'income', 'hours', 'invest', 'interest'])(
      '%s allows 255 characters, not 256',
      (field) => {
        accepts(field, 'y'.repeat(255));
        rejects(field, 'y'.repeat(256), /at most 255 characters/);
      },
    );
  });

  describe('email and email2', () => {
    it.each(['email', 'email2'])('%s must be an address, and is stored in lower case', (field) => {
      accepts(field, ' Jane.Smith@Example.COM ', 'jane.smith@example.com');
      rejects(field, 'jane.smith', /valid email address/);
      rejects(field, 'jane@', /valid email address/);
    });

    it('is at most 254 characters', () => {
      rejects('email', `${'a'.repeat(64)}@${'b'.repeat(190)}.com`, /at most 254 characters/);
    });
  });

  describe('phone and phone2', () => {
    it.each(['phone', 'phone2'])("%s accepts the seed's format and other common ones", (field) => {
      accepts(field, '+1-555-123-4567');
      accepts(field, '(512) 555.0100');
      accepts(field, '5551234');
    });

    it.each([
      ['too short', '555-12'],
      ['too long', '1'.repeat(33)],
      ['letters', '555-CALL-NOW'],
      ['no digits at all', '(---) ---.----'],
    ])('rejects %s', (_case, value) => {
      rejects('phone', value, /7–32 characters of digits, spaces and \+ - \( \) \./);
    });
  });

  it('avatar_url must be an http(s) URL', () => {
    accepts('avatar_url', 'https://example.com/avatars/jane.jpg');
    accepts('avatar_url', 'http://cdn.example.com/a.png');
    rejects('avatar_url', 'ftp://example.com/a.png', /http\(s\) URL/);
    rejects('avatar_url', 'javascript:alert(1)', /http\(s\) URL/);
    rejects('avatar_url', 'not a url', /http\(s\) URL/);
  });

  it('status is one of the five statuses and cannot be cleared', () => {
    for (const status of ['active', 'lead', 'prospect', 'customer', 'inactive']) accepts('status', status);
    rejects('status', 'archived', /must be one of active, lead, prospect, customer, inactive/);
    rejects('status', null, /must be one of/);
  });

  it('lead_type is hot, warm or cold', () => {
    for (const leadType of ['hot', 'warm', 'cold']) accepts('lead_type', leadType);
    accepts('lead_type', null);
    rejects('lead_type', 'lukewarm', /must be one of hot, warm, cold/);
  });

  it('ip is an IPv4 or IPv6 address', () => {
    accepts('ip', '192.168.1.1');
    accepts('ip', '2001:db8::1');
    rejects('ip', '256.1.1.1', /IPv4 or IPv6/);
    rejects('ip', 'localhost', /IPv4 or IPv6/);
  });

  it('requested_at is an ISO-8601 date-time with Z or an offset', () => {
    accepts('requested_at', '2025-01-10T08:00:00Z');
    accepts('requested_at', '2025-01-10T08:00:00.123-06:00');
    rejects('requested_at', '2025-01-10T08:00:00', /ISO-8601 date-time with a zone/);
    rejects('requested_at', '2025-01-10', /ISO-8601/);
    rejects('requested_at', '2025-02-30T08:00:00Z', /ISO-8601/);
  });

  describe('time_zone', () => {
    it.each([
      'America/Chicago',
      'UTC',
      'Etc/UTC',
      'Europe/London',
      'America/Argentina/Buenos_Aires',
      'Asia/Kolkata',
    ])('accepts %s', (zone) => accepts('time_zone', zone));

    it.each(['Mars/Olympus_Mons', 'america/chicago', '+01:00', 'CST6', 'Central Time'])(
      'rejects %s',
      (zone) => {
        rejects('time_zone', zone, /IANA time zone/);
      },
    );

    it('isIanaTimeZone agrees with Intl for every zone it lists', () => {
      expect(Intl.supportedValuesOf('timeZone').every(isIanaTimeZone)).toBe(true);
    });
  });

  it.each(['country_id', 'language_id', 'phone_id'])('%s is a positive integer', (field) => {
    accepts(field, 1);
    accepts(field, null);
    rejects(field, 0, /positive integer/);
    rejects(field, -3, /positive integer/);
    rejects(field, 1.5, /positive integer/);
    rejects(field, '1', /positive integer/);
  });

  describe('metadata', () => {
    it('accepts a nested JSON object', () => {
      accepts('metadata', { source: 'fair', tags: ['a', 'b'], score: { value: 3, at: null } });
    });

    it('reads null as the empty object, since metadata always exists', () => {
      accepts('metadata', null, {});
    });

    it('must be an object', () => {
      rejects('metadata', ['a'], /JSON object/);
      rejects('metadata', 'text', /JSON object/);
    });

    it.each([
      ['a top-level key starting with $', { $where: 'x' }, '$where'],
      ['a nested key starting with $', { a: { b: [{ $set: 1 }] } }, '$set'],
      ['a key with a dot', { 'a.b': 1 }, 'a.b'],
      ['a nested key with a dot', { a: { 'x.y': 1 } }, 'x.y'],
    ])('rejects %s', (_case, metadata, key) => {
      rejects(
        'metadata',
        metadata,
        new RegExp(
          `must not start with "\\$" or contain "\\." \\(found "${key.replace(/[$.]/g, '\\$&')}"\\)`,
        ),
      );
    });

    it('rejects a key with a NUL character, at any depth (BSON cannot store one)', () => {
      rejects('metadata', { 'a\u0000b': 1 }, /NUL/);
      rejects('metadata', { a: [{ '\u0000': 1 }] }, /NUL/);
    });

    it('rejects an array directly inside an array, at any depth (FerretDB cannot store one)', () => {
      rejects('metadata', { m: [[1]] }, /array directly inside an array/);
      rejects('metadata', { a: { b: [{ c: [1, [2]] }] } }, /array directly inside an array/);
      accepts('metadata', { m: [{ inner: [1, 2] }, 3] });
    });

    it(`is at most ${METADATA_MAX_BYTES} bytes serialized`, () => {
      const fits = { blob: 'x'.repeat(METADATA_MAX_BYTES - '{"blob":""}'.length) };
      accepts('metadata', fits);
      rejects('metadata', { blob: `${fits.blob}x` }, new RegExp(`at most ${METADATA_MAX_BYTES} bytes`));
    });

    it('counts bytes, not characters', () => {
      rejects('metadata', { blob: 'é'.repeat(METADATA_MAX_BYTES / 2) }, /bytes/);
    });

    it(`refuses nesting deeper than ${METADATA_MAX_DEPTH} levels without overflowing the stack`, () => {
      let deep: Record<string, unknown> = {};
      for (let i = 0; i < 100_000; i += 1) deep = { a: deep };
      rejects('metadata', deep, /nest deeper/);
    });
  });
});
