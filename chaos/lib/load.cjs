// The chaos suite's client: writes through the gateway at a fixed rate (creates, updates with
// If-Match, deletes, restores, bulk creates) the way a careful real client does — an
// Idempotency-Key on every POST, 503s and timeouts retried with the same key after Retry-After —
// and records every attempt and every operation's outcome: `ack` (with the version the service
// acknowledged), `refused` (a definitive 4xx on the first attempt: nothing was written) or
// `unknown` (no definitive answer, or a refusal after an attempt that may have been applied).
// A read probe reads single contacts meanwhile. Every loop is bounded by the run's deadline.
const { randomUUID } = require('node:crypto');

const BASE = { user: '/api/user/crm/v202506/contacts', company: '/api/company/crm/v202506/contacts' };
const GROUPS = '/api/user/crm/v202506/groups';
const NOTES = '/api/user/crm/v202506/notes';
const TASKS = '/api/user/crm/v202506/tasks';
const SMARTLINKS = '/api/user/crm/v202506/smartlinks';
/** A browser's User-Agent for the public SmartLink opens. */
const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
/** The allowed host SmartLinks point at (the stack sets SMARTLINK_DEFAULT_ALLOWED_HOSTS to it). */
const SHOP_HOST = 'shop.example.com';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const versionOf = (etag) => {
  const match = /^(?:W\/)?"(\d+)"$/.exec(etag ?? '');
  return match ? Number(match[1]) : null;
};

const pick = (object, keys) =>
  Object.fromEntries(keys.filter((k) => object[k] !== undefined).map((k) => [k, object[k]]));

/** Whether an answer settles the request (anything but an outage, a timeout or "try again"). */
function definitive(attempt) {
  if (attempt.status === 0 || attempt.status >= 500 || attempt.status === 429) return false;
  return !(attempt.status === 409 && attempt.code === 'idempotency_key_in_progress');
}

/**
 * `cfg`: { gatewayUrl, principals: [{ name, scope, companyId, userId, token, ownerUserId? }],
 * rate (writes/s), maxInFlight, timeoutMs (per attempt: the gateway's timeout + a margin, past
 * which a request counts as hung), bulkTimeoutMs, maxOpMs (give up, outcome unknown), bulkEvery
 * (every n-th operation is a bulk create), bulkSize, readEveryMs, clock (ms since the run began) }.
 */
function createLoad(cfg) {
  const clock = cfg.clock;
  const history = { ops: [], reads: [], skippedTicks: 0 };
  const contacts = new Map(); // id -> { id, principal, version, discarded, busy }
  const ids = [];
  let inFlight = 0;
  let stopping = false;
  let seq = 0;
  const running = new Set();
  const rand = (n) => Math.floor(Math.random() * n);

  async function attempt(method, path, principal, { body, headers = {}, timeoutMs = cfg.timeoutMs } = {}) {
    const at = clock();
    const record = { at, ms: 0, status: 0 };
    try {
      const res = await fetch(`${cfg.gatewayUrl}${path}`, {
        method,
        redirect: 'manual',
        headers: {
          ...(principal ? { authorization: `Bearer ${principal.token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      record.status = res.status;
      if (res.headers.get('retry-after') !== null) record.retryAfter = Number(res.headers.get('retry-after'));
      if (res.headers.get('idempotent-replayed') === 'true') record.replayed = true;
      record.etag = res.headers.get('etag') ?? undefined;
      record.consistency = res.headers.get('x-consistency') ?? undefined;
      record.token = res.headers.get('x-consistency-token') ?? undefined;
      try {
        record.body = text ? JSON.parse(text) : undefined;
      } catch {
        record.body = undefined;
      }
      if (res.status >= 400) record.code = record.body?.error?.code ?? record.body?.code;
    } catch (error) {
      record.error = error.name === 'TimeoutError' ? 'timeout' : String(error.cause?.code ?? error.message);
      if (error.name === 'TimeoutError') record.hung = true;
    }
    record.ms = Math.round(clock() - at);
    return record;
  }

  /** Sends until a definitive answer, retrying like a client (Retry-After, capped), until maxOpMs. */
  async function execute(op, method, path, principal, options) {
    const deadline = op.started + cfg.maxOpMs;
    for (;;) {
      const a = await attempt(method, path, principal, options);
      // The history keeps what the checker reads, not the bodies.
      op.attempts.push({
        at: a.at,
        ms: a.ms,
        status: a.status,
        ...pick(a, ['retryAfter', 'replayed', 'code', 'error', 'hung']),
      });
      if (definitive(a)) return a;
      const wait = a.retryAfter !== undefined ? Math.min(a.retryAfter * 1000, 2000) : 300 + rand(400);
      if (clock() + wait > deadline) return null;
      await sleep(wait);
    }
  }

  function conclude(op, answer, onAck) {
    op.ended = Math.round(clock());
    // A SmartLink open answers 302 (the redirect to the shop): that is its acknowledgement.
    const acknowledged = (status) =>
      (status >= 200 && status < 300) || (op.kind === 'smartlink-open' && status === 302);
    if (answer && acknowledged(answer.status)) {
      op.outcome = 'ack';
      onAck(answer);
    } else if (answer && op.attempts.length === 1) {
      op.outcome = 'refused';
      op.refusal = `${answer.status}${answer.code ? ` ${answer.code}` : ''}`;
    } else {
      op.outcome = 'unknown';
    }
  }

  function remember(id, principal, version, discarded) {
    if (!contacts.has(id)) ids.push(id);
    contacts.set(id, { id, principal, version, discarded, busy: false });
  }

  const newOp = (kind, principal, extra = {}) => {
    const op = {
      op: ++seq,
      kind,
      principal: principal.name,
      started: Math.round(clock()),
      attempts: [],
      ...extra,
    };
    history.ops.push(op);
    return op;
  };

  async function create(principal, tag) {
    const marker = `C${seq + 1}x${rand(1e6)}`;
    const body = { first_name: marker, last_name: 'Chaos' };
    if (principal.scope === 'company') body.user_id = principal.ownerUserId;
    const op = newOp('create', principal, {
      scope: principal.scope,
      marker,
      key: randomUUID(),
      ...(tag ? { tag } : {}),
    });
    const answer = await execute(op, 'POST', BASE[principal.scope], principal, {
      body,
      headers: { 'idempotency-key': op.key },
    });
    conclude(op, answer, (a) => {
      op.contactId = a.body?.contact?.id;
      op.version = versionOf(a.etag);
      op.tenant = principal.companyId;
      remember(op.contactId, principal, op.version, false);
    });
    return { op, answer };
  }

  async function bulk(principal) {
    const prefix = `B${seq + 1}x${rand(1e6)}`;
    const items = Array.from({ length: cfg.bulkSize }, (_, i) => ({
      first_name: `${prefix}i${i}`,
      last_name: 'Chaos',
    }));
    const op = newOp('bulk', principal, {
      scope: 'user',
      marker: prefix,
      size: cfg.bulkSize,
      key: randomUUID(),
    });
    const answer = await execute(op, 'POST', `${BASE.user}/bulk`, principal, {
      body: { contacts: items },
      headers: { 'idempotency-key': op.key },
      timeoutMs: cfg.bulkTimeoutMs,
    });
    conclude(op, answer, (a) => {
      op.tenant = principal.companyId;
      op.created = [];
      op.failedItems = 0;
      for (const result of a.body?.results ?? []) {
        if (result.contact) {
          op.created.push({ id: result.contact.id, version: 1, marker: result.contact.first_name });
          remember(result.contact.id, principal, 1, false);
        } else op.failedItems++;
      }
    });
  }

  /** Learns a contact's current version and state from the read side (after an unclear outcome). */
  async function sync(contact) {
    const a = await attempt('GET', `${BASE.user}/${contact.id}`, contact.principal.userToken);
    if (a.status === 200) {
      contact.version = versionOf(a.etag);
      contact.discarded = a.body?.contact?.discarded_at != null;
    }
  }

  async function onContact(kind, pick) {
    const candidates = [];
    for (let tries = 0; tries < 20 && candidates.length === 0 && ids.length > 0; tries++) {
      const c = contacts.get(ids[rand(ids.length)]);
      if (!c.busy && pick(c)) candidates.push(c);
    }
    const contact = candidates[0];
    if (!contact) return create(cfg.principals[rand(cfg.principals.length)]);
    contact.busy = true;
    try {
      if (contact.version === null) {
        await sync(contact);
        if (contact.version === null || !pick(contact)) return;
      }
      const principal = contact.principal;
      const path = `${BASE.user}/${contact.id}`;
      const owner = principal.userToken;
      const op = newOp(kind, owner, {
        contactId: contact.id,
        tenant: principal.companyId,
        from: contact.version,
      });
      let answer;
      if (kind === 'update') {
        op.marker = `U${op.op}x${rand(1e6)}`;
        answer = await execute(op, 'PATCH', path, owner, {
          body: { city: op.marker },
          headers: { 'if-match': `W/"${contact.version}"` },
        });
      } else if (kind === 'delete') {
        answer = await execute(op, 'DELETE', path, owner, {});
      } else {
        op.key = randomUUID();
        answer = await execute(op, 'POST', `${path}/restore`, owner, {
          headers: { 'idempotency-key': op.key },
        });
      }
      conclude(op, answer, (a) => {
        op.version = versionOf(a.etag);
        contact.version = op.version;
        if (kind === 'delete') contact.discarded = true;
        if (kind === 'restore') contact.discarded = false;
      });
      if (op.outcome !== 'ack') contact.version = null;
    } finally {
      contact.busy = false;
    }
  }

  // Groups (when cfg.groups): each rep keeps two groups and adds its own contacts to them and
  // removes them again; a group is used by one operation at a time, so its version is known.
  const groupsOf = new Map(); // rep name -> [{ id, version, members: Set, busy }]

  async function groupOperation(rep) {
    const mine = groupsOf.get(rep.name) ?? [];
    groupsOf.set(rep.name, mine);
    if (mine.length < 2) {
      const op = newOp('group-create', rep, { key: randomUUID(), tenant: rep.companyId });
      op.marker = `G${op.op}x${rand(1e6)}`;
      const answer = await execute(op, 'POST', GROUPS, rep, {
        body: { name: op.marker },
        headers: { 'idempotency-key': op.key },
      });
      conclude(op, answer, (a) => {
        op.groupId = a.body?.group?.id;
        op.version = versionOf(a.etag);
        mine.push({ id: op.groupId, version: op.version, members: new Set(), busy: false });
      });
      return;
    }
    const group = mine[rand(mine.length)];
    const own = ids.filter((id) => contacts.get(id).principal.userToken === rep);
    if (group.busy || own.length === 0) return;
    group.busy = true;
    try {
      const contactId = own[rand(own.length)];
      const remove = group.members.has(contactId) && rand(2) === 0;
      const op = newOp(remove ? 'group-remove' : 'group-add', rep, {
        groupId: group.id,
        contactId,
        tenant: rep.companyId,
      });
      const answer = remove
        ? await execute(op, 'DELETE', `${GROUPS}/${group.id}/contacts/${contactId}`, rep, {})
        : await execute(op, 'POST', `${GROUPS}/${group.id}/contacts`, rep, {
            body: { contact_ids: [contactId] },
            headers: { 'idempotency-key': (op.key = randomUUID()) },
          });
      conclude(op, answer, (a) => {
        op.version = versionOf(a.etag);
        op.result = remove ? 'removed' : a.body?.results?.[0]?.status;
        if (remove) group.members.delete(contactId);
        else if (op.result === 'added' || op.result === 'already_member') group.members.add(contactId);
      });
    } finally {
      group.busy = false;
    }
  }

  /** A rep's own live contact (owned by the rep, directly or through the company client). */
  function ownContact(rep) {
    const own = ids.filter((id) => {
      const c = contacts.get(id);
      return c.principal.userToken === rep && !c.discarded;
    });
    return own.length ? own[rand(own.length)] : null;
  }

  // Notes and tasks (when cfg.notesTasks): a rep writes a note or a task on one of its contacts,
  // and completes one of its open tasks; each carries a marker the checker finds in the event
  // store. A task is used by one operation at a time, so its version is known.
  const tasksOf = new Map(); // rep name -> [{ id, version, busy }]

  async function noteOrTask(rep) {
    const mine = tasksOf.get(rep.name) ?? [];
    tasksOf.set(rep.name, mine);
    const open = mine.filter((t) => !t.busy);
    if (open.length > 0 && rand(3) === 0) {
      const task = open[rand(open.length)];
      task.busy = true;
      const op = newOp('task-complete', rep, {
        aggregate: 'task',
        aggregateId: task.id,
        tenant: rep.companyId,
        from: task.version,
      });
      const answer = await execute(op, 'PATCH', `${TASKS}/${task.id}`, rep, {
        body: { completed: true },
        headers: { 'if-match': `W/"${task.version}"` },
      });
      conclude(op, answer, (a) => {
        op.version = versionOf(a.etag);
      });
      mine.splice(mine.indexOf(task), 1); // completed (or unclear): not used again
      return;
    }
    const contactId = ownContact(rep);
    if (contactId === null) return;
    const kind = rand(2) === 0 ? 'note' : 'task';
    const op = newOp(`${kind}-create`, rep, {
      aggregate: kind,
      key: randomUUID(),
      tenant: rep.companyId,
      contactId,
    });
    op.marker = `${kind === 'note' ? 'N' : 'T'}${op.op}x${rand(1e6)}`;
    const answer = await execute(op, 'POST', kind === 'note' ? NOTES : TASKS, rep, {
      body: { contact_id: contactId, body: op.marker },
      headers: { 'idempotency-key': op.key },
    });
    conclude(op, answer, (a) => {
      op.aggregateId = a.body?.[kind]?.id;
      op.version = versionOf(a.etag);
      if (kind === 'task' && op.aggregateId)
        mine.push({ id: op.aggregateId, version: op.version, busy: false });
    });
  }

  // SmartLink activity (when cfg.smartlinks): a rep creates a SmartLink for one of its contacts
  // (at most one per contact, so a burst of pushes names one link), the contact opens it once
  // through the public /l/:token, then the shop's beacon reports views of items. Every open and
  // beacon names a unique marker (the link's shareable_name, the item's name) that the pushes
  // repeat, so the checker can tell which events a push is about.
  const links = []; // { id, token, contactId, rep, opened, busy }
  const linkedContacts = new Set();

  async function smartlinkOperation(rep) {
    const ready = links.filter((l) => !l.busy && l.rep === rep);
    if (ready.length === 0 || (links.length < cfg.smartlinksMax && rand(4) === 0)) {
      const contactId = ownContact(rep);
      if (contactId === null || linkedContacts.has(contactId)) return;
      linkedContacts.add(contactId);
      const op = newOp('smartlink-create', rep, {
        aggregate: 'smartlink',
        key: randomUUID(),
        tenant: rep.companyId,
        contactId,
      });
      op.marker = `Q${op.op}x${rand(1e6)}q`;
      const answer = await execute(op, 'POST', SMARTLINKS, rep, {
        body: {
          contact_id: contactId,
          shareable_type: 'product',
          shareable_id: op.marker,
          shareable_name: op.marker,
          url: `https://${SHOP_HOST}/p/${op.marker}`,
        },
        headers: { 'idempotency-key': op.key },
      });
      conclude(op, answer, (a) => {
        op.aggregateId = a.body?.smartlink?.id;
        op.version = versionOf(a.etag);
        const token = a.body?.smartlink?.token;
        if (token) links.push({ id: op.aggregateId, token, contactId, rep, opened: false, busy: false });
      });
      return;
    }
    const link = ready[rand(ready.length)];
    link.busy = true;
    try {
      if (!link.opened) {
        const op = newOp('smartlink-open', rep, {
          smartlinkId: link.id,
          contactId: link.contactId,
          public: true,
        });
        const answer = await execute(op, 'GET', `/l/${link.token}`, null, {
          headers: { 'user-agent': BROWSER },
        });
        conclude(op, answer, () => undefined);
        link.opened = true; // an unclear open may have been recorded: never opened twice on purpose
        return;
      }
      const op = newOp('smartlink-activity', rep, {
        smartlinkId: link.id,
        contactId: link.contactId,
        public: true,
      });
      op.marker = `Q${op.op}x${rand(1e6)}q`;
      const answer = await execute(op, 'POST', `/api/public/smartlinks/${link.token}/activities`, null, {
        body: { type: 'viewed', item: { type: 'product', id: op.marker, name: op.marker } },
      });
      conclude(op, answer, () => undefined);
    } finally {
      link.busy = false;
    }
  }

  function nextOperation(n) {
    const principal = cfg.principals[rand(cfg.principals.length)];
    if (cfg.bulkEvery > 0 && n % cfg.bulkEvery === cfg.bulkEvery - 1) {
      const rep = cfg.principals.find((p) => p.scope === 'user');
      return () => bulk(rep);
    }
    const roll = rand(100);
    if (roll < 30 || ids.length < 20) return () => create(principal);
    // 30% creates, 28% updates, 7% group memberships, 7% notes and tasks, 6% SmartLink activity,
    // 10% deletes, 12% restores (a mix whose resource is missing falls back to an update).
    const reps = cfg.principals.filter((p) => p.scope === 'user');
    const rep = reps[rand(reps.length)];
    if (cfg.groups && roll >= 58 && roll < 65) return () => groupOperation(rep);
    if (cfg.notesTasks && roll >= 65 && roll < 72) return () => noteOrTask(rep);
    if (cfg.smartlinks && roll >= 72 && roll < 78) return () => smartlinkOperation(rep);
    if (roll < 78) return () => onContact('update', (c) => c.discarded === false || c.version === null);
    if (roll < 88) return () => onContact('delete', (c) => c.discarded === false);
    return () => onContact('restore', (c) => c.discarded === true);
  }

  async function readProbe() {
    while (!stopping) {
      const started = clock();
      if (ids.length > 0) {
        const contact = contacts.get(ids[rand(ids.length)]);
        const a = await attempt('GET', `${BASE.user}/${contact.id}`, contact.principal.userToken);
        history.reads.push({
          at: a.at,
          ms: a.ms,
          status: a.status,
          retryAfter: a.retryAfter,
          hung: a.hung,
          error: a.error,
        });
      }
      await sleep(cfg.readEveryMs - (clock() - started));
    }
  }

  let ticker;
  let prober;
  return {
    history,
    contacts,
    start() {
      const t0 = clock();
      const period = 1000 / cfg.rate;
      ticker = (async () => {
        for (let n = 0; !stopping; n++) {
          await sleep(t0 + n * period - clock());
          if (stopping) break;
          if (inFlight >= cfg.maxInFlight) {
            history.skippedTicks++;
            continue;
          }
          inFlight++;
          const p = nextOperation(n)()
            .catch((error) => cfg.log?.(`load: operation failed in the client: ${error.stack}`))
            .finally(() => {
              inFlight--;
              running.delete(p);
            });
          running.add(p);
        }
      })();
      prober = readProbe();
    },
    /**
     * The recovery probe: one create through the gateway (recorded and checked like any other
     * write) read back with its consistency token. True once the whole path — gateway, command,
     * event store, Kafka, projection, read model, query — works again.
     */
    async probe() {
      const rep = cfg.principals.find((p) => p.scope === 'user');
      const { op, answer } = await create(rep, 'probe');
      if (op.outcome !== 'ack' || !answer.token) return false;
      const read = await attempt('GET', `${BASE.user}/${op.contactId}`, rep, {
        headers: { 'x-consistency-token': answer.token },
      });
      return read.status === 200 && read.consistency === 'fresh';
    },
    /** Stops sending; waits for the operations in flight (each bounded by maxOpMs). */
    async stop() {
      stopping = true;
      await ticker;
      await prober;
      await Promise.all([...running]);
      return history;
    },
  };
}

module.exports = { createLoad, definitive, versionOf, BASE, SHOP_HOST };
