// The chaos suite's checker: pure functions from what was observed (the client's history, the
// fault windows, the event store, the topic, the read models and a fresh rebuild of them, the
// DLQ, the apps' readiness) to verdicts and one report row per fault. No I/O, no clock.
//
// Terms. An *acknowledged write* is one (contact, version) a 2xx answered: a create (or each
// contact of a bulk create) at version 1, an update, delete or restore at the ETag's version.
// It is *lost* if the event store, the topic or the read models do not have it. A write is
// *duplicated* if one operation created two contacts (a retry that was not recognised as one),
// or two different events claim the same (contact, version). A redelivered copy of the same
// event (same event id) is at-least-once delivery — documented, deduplicated by consumers — and
// counted apart, not as a duplicate.

const key = (id, version) => `${id}@${version}`;
const docId = (tenant, id) => `${tenant}:${id}`;

/** Acknowledged writes, one per (contact, version) an operation was acknowledged at. */
function acknowledgedWrites(ops) {
  const writes = [];
  for (const op of ops) {
    if (op.outcome !== 'ack' || op.kind.startsWith('group-') || op.aggregate || op.public) continue;
    if (op.kind === 'bulk') {
      for (const c of op.created ?? [])
        writes.push({
          op: op.op,
          kind: 'create',
          contactId: c.id,
          version: c.version,
          marker: c.marker,
          tenant: op.tenant,
          scope: 'user',
          started: op.started,
        });
    } else {
      writes.push({
        op: op.op,
        kind: op.kind,
        contactId: op.contactId,
        version: op.version,
        marker: op.marker,
        tenant: op.tenant,
        scope: op.scope ?? 'user',
        started: op.started,
      });
    }
  }
  return writes;
}

/** JSON with sorted keys: read-model documents compare equal whatever their field order. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** Differences between two read models (documents by _id): missing, extra, different. */
function diffModels(live, rebuilt) {
  const a = new Map(live.map((d) => [d._id, canonical(d)]));
  const b = new Map(rebuilt.map((d) => [d._id, canonical(d)]));
  const problems = [];
  for (const [id, doc] of a) {
    if (!b.has(id)) problems.push(`${id} is in the live read model but not in the rebuild`);
    else if (b.get(id) !== doc) problems.push(`${id} differs: live ${doc} / rebuilt ${b.get(id)}`);
  }
  for (const id of b.keys())
    if (!a.has(id)) problems.push(`${id} is in the rebuild but not in the live read model`);
  return problems;
}

/** Events by (aggregate, version). */
function indexEvents(events) {
  const at = new Map();
  for (const e of events)
    at.set(key(e.aggregate_id, e.aggregate_version), [
      ...(at.get(key(e.aggregate_id, e.aggregate_version)) ?? []),
      e,
    ]);
  return at;
}

/** Topic messages by (aggregate, version): the distinct event ids and the number of copies. */
function indexTopic(messages) {
  const at = new Map();
  for (const m of messages) {
    const k = key(m.aggregate_id, m.aggregate_version);
    const entry = at.get(k) ?? { ids: new Set(), copies: 0 };
    entry.ids.add(m.id);
    entry.copies++;
    at.set(k, entry);
  }
  return at;
}

/** The load's SmartLink markers a push body names ("… viewed 2 items: Q12x345q, Q13x9q"). */
const MARKER = /Q\d+x\d+q/g;
const markersIn = (text) => [...new Set(String(text ?? '').match(MARKER) ?? [])];

/**
 * The notifier's promise, from what the local push service received and what the SmartLink topic
 * holds. A push names the events it tells about by their markers (every open and beacon of the
 * load carries a unique one, see load.cjs). Checks, per device: (1) no marker is named by more
 * pushes than there are distinct events carrying it (a push sent twice for one event — a resend
 * after a crash, a redelivered event pushed again); (2) every push passed the push service's
 * VAPID and decryption checks; (3) every open and beacon event of a rep with a device was pushed
 * to it: named by a push, or told about by a push whose body was shortened (a long burst) or a
 * digest naming no markers. `notifier`: { pushes: [{ device, body }], rejected: [{ device,
 * reason }], events: [{ id, type, marker, company_id, user_id }], devices: { 'company:user':
 * device } }. Returns the counts the report shows.
 */
function checkPushes(notifier, problems) {
  const eventsByMarker = new Map();
  const seenEvent = new Set();
  const activity = [];
  for (const e of notifier.events) {
    if (seenEvent.has(e.id) || (e.type !== 'smartlink.opened' && e.type !== 'smartlink.activity_recorded'))
      continue;
    seenEvent.add(e.id);
    activity.push(e);
    if (e.marker) eventsByMarker.set(e.marker, (eventsByMarker.get(e.marker) ?? 0) + 1);
  }
  const named = new Map(); // device -> marker -> pushes naming it
  const unnamed = new Map(); // device -> pushes naming no marker or shortened
  for (const p of notifier.pushes) {
    const markers = markersIn(p.body);
    const byMarker = named.get(p.device) ?? new Map();
    named.set(p.device, byMarker);
    for (const m of markers) byMarker.set(m, (byMarker.get(m) ?? 0) + 1);
    if (markers.length === 0 || String(p.body).endsWith('…'))
      unnamed.set(p.device, (unnamed.get(p.device) ?? 0) + 1);
  }
  for (const [device, byMarker] of named)
    for (const [marker, count] of byMarker) {
      const events = eventsByMarker.get(marker) ?? 0;
      if (count > events)
        problems.push(
          `${device}: ${count} pushes name ${marker}, which ${events} event(s) carry — a push sent twice`,
        );
    }
  for (const r of notifier.rejected ?? [])
    problems.push(`${r.device}: a push failed the push service's checks (${r.reason})`);
  let pushed = 0;
  let toldUnnamed = 0;
  let noDevice = 0;
  for (const e of activity) {
    const device = notifier.devices[`${e.company_id}:${e.user_id}`];
    if (!device) {
      noDevice++;
      continue;
    }
    if (e.marker && named.get(device)?.has(e.marker)) pushed++;
    else if ((unnamed.get(device) ?? 0) > 0) toldUnnamed++;
    else
      problems.push(`${device}: event ${e.id} (${e.type}${e.marker ? ` ${e.marker}` : ''}) was never pushed`);
  }
  return { received: notifier.pushes.length, events: activity.length, pushed, toldUnnamed, noDevice };
}

const isUnexpected5xx = (a) => a.status >= 500 && !(a.status === 503 && a.retryAfter !== undefined);
const served = (a) => a.status > 0 && a.status < 500;

/**
 * The longest stretch of the window [from, to] with no served request (an answer other than a
 * network failure, a timeout or a 5xx): the gaps between consecutive served answers' end times,
 * and from the last one to the window's end. Milliseconds.
 */
function longestOutage(attempts, from, to) {
  const ends = attempts
    .filter(served)
    .map((a) => a.at + a.ms)
    .filter((t) => t >= from && t <= to)
    .sort((x, y) => x - y);
  let longest = 0;
  let previous = from;
  for (const t of ends) {
    longest = Math.max(longest, t - previous);
    previous = t;
  }
  return Math.max(longest, to - previous);
}

/**
 * input: { history: { ops, reads }, faults: [{ name, start, healStart, recoveredAt, end }],
 * store: events [{ id, aggregate_id, aggregate_version, type, data }], kafka: messages (same
 * fields), readModels: { user, company }, rebuilt: { user, company } | null, dlq: number,
 * readiness: { app: status }, notifier: { applicable, reason?, pushes?: [{ eventId, device }] } }.
 */
function check(input) {
  const { history, store, kafka } = input;
  const ops = history.ops;
  const writes = acknowledgedWrites(ops);
  const problemsByOp = new Map(); // op -> { lost, duplicated }
  const mark = (op, what) => {
    const entry = problemsByOp.get(op) ?? { lost: 0, duplicated: 0 };
    entry[what]++;
    problemsByOp.set(op, entry);
  };

  // --- indexes ------------------------------------------------------------------------------
  const storeAt = new Map();
  for (const e of store)
    storeAt.set(key(e.aggregate_id, e.aggregate_version), [
      ...(storeAt.get(key(e.aggregate_id, e.aggregate_version)) ?? []),
      e,
    ]);
  const kafkaAt = new Map();
  for (const m of kafka) {
    const k = key(m.aggregate_id, m.aggregate_version);
    const entry = kafkaAt.get(k) ?? { ids: new Set(), copies: 0 };
    entry.ids.add(m.id);
    entry.copies++;
    kafkaAt.set(k, entry);
  }
  const createdByMarker = new Map();
  for (const e of store) {
    if (e.type !== 'contact.created') continue;
    const marker = e.data?.first_name;
    createdByMarker.set(marker, [...(createdByMarker.get(marker) ?? []), e.aggregate_id]);
  }
  const userDocs = new Map(input.readModels.user.map((d) => [d._id, d]));
  const companyDocs = new Map(input.readModels.company.map((d) => [d._id, d]));

  // --- (a) every acknowledged write in the event store and on the topic exactly once ---------
  const a = [];
  for (const w of writes) {
    const events = storeAt.get(key(w.contactId, w.version)) ?? [];
    const event = events[0];
    let problem = null;
    if (events.length === 0) problem = 'not in the event store';
    else if (w.kind === 'create' && (event.type !== 'contact.created' || event.data?.first_name !== w.marker))
      problem = `the event store has another event at this version (${event.type})`;
    else if (
      w.kind === 'update' &&
      (event.type !== 'contact.updated' || event.data?.changes?.city !== w.marker)
    )
      problem = `the event store has another event at this version (${event.type})`;
    else if (!kafkaAt.has(key(w.contactId, w.version))) problem = 'not on the topic';
    else if (![...kafkaAt.get(key(w.contactId, w.version)).ids].every((id) => id === event.id))
      problem = 'the topic has a different event at this version';
    if (problem) {
      a.push(`op ${w.op} ${w.kind} contact ${w.contactId} v${w.version}: ${problem}`);
      mark(w.op, 'lost');
    }
  }
  let redelivered = 0;
  for (const [k, entry] of kafkaAt) {
    if (entry.ids.size > 1) a.push(`${k}: ${entry.ids.size} different events on the topic`);
    redelivered += entry.copies - entry.ids.size;
    if (!storeAt.has(k)) a.push(`${k}: on the topic but not in the event store`);
  }
  for (const [k, events] of storeAt) {
    if (events.length > 1) a.push(`${k}: ${events.length} events in the event store`);
    if (!kafkaAt.has(k)) a.push(`${k}: stored but never published`);
  }

  // Group writes (when the load made some): the same accounting on the groups' store and topic.
  const groupOps = ops.filter((op) => op.outcome === 'ack' && op.kind.startsWith('group-'));
  if (input.groupStore) {
    const gStore = new Map();
    for (const e of input.groupStore)
      gStore.set(key(e.aggregate_id, e.aggregate_version), [
        ...(gStore.get(key(e.aggregate_id, e.aggregate_version)) ?? []),
        e,
      ]);
    const gTopic = new Map();
    for (const m of input.groupKafka ?? []) {
      const k = key(m.aggregate_id, m.aggregate_version);
      const entry = gTopic.get(k) ?? { ids: new Set(), copies: 0 };
      entry.ids.add(m.id);
      entry.copies++;
      gTopic.set(k, entry);
    }
    for (const op of groupOps) {
      const k = key(op.groupId, op.version);
      const event = gStore.get(k)?.[0];
      let problem = null;
      if (!event) problem = 'not in the event store';
      else if (
        op.kind === 'group-create' &&
        (event.type !== 'group.created' || event.data?.name !== op.marker)
      )
        problem = `another event at this version (${event.type})`;
      else if (!gTopic.has(k)) problem = 'not on the topic';
      else if (![...gTopic.get(k).ids].every((id) => id === event.id))
        problem = 'the topic has a different event at this version';
      if (problem) {
        a.push(`op ${op.op} ${op.kind} group ${op.groupId} v${op.version}: ${problem}`);
        mark(op.op, 'lost');
      }
    }
    for (const [k, entry] of gTopic) {
      if (entry.ids.size > 1) a.push(`group ${k}: ${entry.ids.size} different events on the topic`);
      redelivered += entry.copies - entry.ids.size;
      if (!gStore.has(k)) a.push(`group ${k}: on the topic but not in the event store`);
    }
    for (const [k, events] of gStore) {
      if (events.length > 1) a.push(`group ${k}: ${events.length} events in the event store`);
      if (!gTopic.has(k)) a.push(`group ${k}: stored but never published`);
    }
  }

  // Notes, tasks and SmartLinks (when the load made some): the same accounting on each one's store
  // and topic; a create must be the event carrying its marker. A public open or beacon the
  // gateway acknowledged (302, 202) must be an event of its SmartLink, stored and published.
  const aggregateOps = ops.filter((op) => op.outcome === 'ack' && op.aggregate);
  const publicOps = ops.filter((op) => op.outcome === 'ack' && op.public);
  for (const [name, evidence] of Object.entries(input.aggregates ?? {})) {
    const at = indexEvents(evidence.store);
    const onTopic = indexTopic(evidence.kafka);
    for (const op of aggregateOps.filter((o) => o.aggregate === name)) {
      const k = key(op.aggregateId, op.version);
      const event = at.get(k)?.[0];
      let problem = null;
      if (!event) problem = 'not in the event store';
      else if (
        op.kind.endsWith('-create') &&
        (!event.type.endsWith('.created') || event.marker !== op.marker)
      )
        problem = `another event at this version (${event.type})`;
      else if (!onTopic.has(k)) problem = 'not on the topic';
      else if (![...onTopic.get(k).ids].every((id) => id === event.id))
        problem = 'the topic has a different event at this version';
      if (problem) {
        a.push(`op ${op.op} ${op.kind} ${name} ${op.aggregateId} v${op.version}: ${problem}`);
        mark(op.op, 'lost');
      }
    }
    if (name === 'smartlink') {
      const topicEventIds = new Set(evidence.kafka.map((m) => m.id));
      for (const op of publicOps) {
        const type = op.kind === 'smartlink-open' ? 'smartlink.opened' : 'smartlink.activity_recorded';
        const events = evidence.store.filter(
          (e) =>
            e.aggregate_id === op.smartlinkId &&
            e.type === type &&
            (op.kind === 'smartlink-open' || e.marker === op.marker),
        );
        let problem = null;
        if (events.length === 0) problem = 'not in the event store';
        else if (!events.some((e) => topicEventIds.has(e.id))) problem = 'not on the topic';
        if (problem) {
          a.push(
            `op ${op.op} ${op.kind} smartlink ${op.smartlinkId}${op.marker ? ` ${op.marker}` : ''}: ${problem}`,
          );
          mark(op.op, 'lost');
        }
      }
    }
    for (const [k, entry] of onTopic) {
      if (entry.ids.size > 1) a.push(`${name} ${k}: ${entry.ids.size} different events on the topic`);
      redelivered += entry.copies - entry.ids.size;
      if (!at.has(k)) a.push(`${name} ${k}: on the topic but not in the event store`);
    }
    for (const [k, events] of at) {
      if (events.length > 1) a.push(`${name} ${k}: ${events.length} events in the event store`);
      if (!onTopic.has(k)) a.push(`${name} ${k}: stored but never published`);
    }
  }

  // --- (b) read models = fresh rebuild; every acknowledged write visible; no refused one -----
  const b = [];
  if (input.rebuilt) {
    b.push(...diffModels(input.readModels.user, input.rebuilt.user).map((p) => `user model: ${p}`));
    b.push(...diffModels(input.readModels.company, input.rebuilt.company).map((p) => `company model: ${p}`));
    for (const model of ['groups', 'notes', 'tasks'])
      if (input.readModels[model] && input.rebuilt[model])
        b.push(
          ...diffModels(input.readModels[model], input.rebuilt[model]).map((p) => `${model} model: ${p}`),
        );
  } else b.push('no fresh rebuild to compare with');
  // Groups, notes and tasks: the read model holds each acknowledged write at its version or later.
  const otherModels = { group: 'groups', note: 'notes', task: 'tasks' };
  for (const op of [...groupOps, ...aggregateOps]) {
    const aggregate = op.aggregate ?? 'group';
    const docs = input.readModels[otherModels[aggregate]];
    if (!docs) continue;
    const id = docId(op.tenant, op.aggregateId ?? op.groupId);
    const doc = docs.find((d) => d._id === id);
    let problem = null;
    if (!doc) problem = 'missing';
    else if (doc._v < op.version) problem = `at v${doc._v}, behind the acknowledged v${op.version}`;
    if (problem) {
      b.push(
        `op ${op.op} ${op.kind} ${aggregate} ${op.aggregateId ?? op.groupId} v${op.version}: ${otherModels[aggregate]} model ${problem}`,
      );
      mark(op.op, 'lost');
    }
  }
  for (const w of writes) {
    const models = [['user', userDocs]];
    if (w.scope === 'company') models.push(['company', companyDocs]);
    for (const [name, docs] of models) {
      const doc = docs.get(docId(w.tenant, w.contactId));
      let problem = null;
      if (!doc) problem = 'missing';
      else if (doc._v < w.version) problem = `at v${doc._v}, behind the acknowledged v${w.version}`;
      else if (doc._v === w.version && w.kind === 'update' && doc.city !== w.marker)
        problem = `at v${doc._v} without the acknowledged change`;
      if (problem) {
        b.push(`op ${w.op} ${w.kind} contact ${w.contactId} v${w.version}: ${name} model ${problem}`);
        mark(w.op, 'lost');
      }
    }
  }
  const refusedMarkers = new Set(
    ops.filter((op) => op.outcome === 'refused' && op.marker).map((op) => op.marker),
  );
  for (const e of store) {
    const marker =
      e.type === 'contact.created'
        ? e.data?.first_name
        : e.type === 'contact.updated'
          ? e.data?.changes?.city
          : undefined;
    if (marker !== undefined && refusedMarkers.has(marker))
      b.push(`refused write ${marker} is in the event store (${e.aggregate_id}@${e.aggregate_version})`);
  }
  for (const doc of input.readModels.user)
    if (refusedMarkers.has(doc.city) || refusedMarkers.has(doc.first_name))
      b.push(`refused write is in the read model: ${doc._id}`);

  // --- (c) no duplicate ids; no operation created two contacts ----------------------------
  const c = [];
  const seen = new Map();
  for (const w of writes.filter((x) => x.kind === 'create')) {
    if (seen.has(w.contactId))
      c.push(`contact id ${w.contactId} acknowledged to ops ${seen.get(w.contactId)} and ${w.op}`);
    seen.set(w.contactId, w.op);
  }
  const createdPerContact = new Map();
  for (const e of store)
    if (e.type === 'contact.created')
      createdPerContact.set(e.aggregate_id, (createdPerContact.get(e.aggregate_id) ?? 0) + 1);
  for (const [id, n] of createdPerContact)
    if (n > 1) c.push(`contact ${id} created ${n} times in the event store`);
  for (const op of ops) {
    const markers =
      op.kind === 'create'
        ? [op.marker]
        : op.kind === 'bulk'
          ? Array.from({ length: op.size }, (_, i) => `${op.marker}i${i}`)
          : [];
    for (const marker of markers) {
      const created = createdByMarker.get(marker) ?? [];
      if (created.length > 1) {
        c.push(
          `op ${op.op} (${op.kind}, ${op.attempts.length} attempts) created ${created.length} contacts for ${marker}: ${created.join(', ')}`,
        );
        mark(op.op, 'duplicated');
      }
    }
  }
  for (const [name, docs] of [
    ['user', input.readModels.user],
    ['company', input.readModels.company],
  ]) {
    const ids = new Set();
    for (const d of docs) {
      if (ids.has(d.id)) c.push(`${name} model: contact id ${d.id} appears twice`);
      ids.add(d.id);
    }
  }

  // --- (d) no 5xx but 503 with Retry-After; nothing hung past the gateway's timeout ---------
  const d = [];
  const attempts = [
    ...ops.flatMap((op) => op.attempts.map((x) => ({ ...x, what: `op ${op.op} ${op.kind}` }))),
    ...history.reads.map((x) => ({ ...x, what: 'read' })),
  ];
  for (const x of attempts) {
    if (isUnexpected5xx(x))
      d.push(
        `${x.what} at ${(x.at / 1000).toFixed(1)} s: ${x.status}${x.retryAfter === undefined ? ' without Retry-After' : ''}`,
      );
    if (x.hung)
      d.push(
        `${x.what} at ${(x.at / 1000).toFixed(1)} s: no answer within the client's timeout (hung past the gateway's)`,
      );
  }

  // --- (e) DLQ empty; (f) every app ready ---------------------------------------------------
  const e = input.dlq === 0 ? [] : [`${input.dlq} message(s) on the dead-letter topic`];
  const f = Object.entries(input.readiness)
    .filter(([, status]) => status !== 200)
    .map(([app, status]) => `${app} /readyz answers ${status || 'nothing'}`);

  // --- notifier: no push twice for one event ------------------------------------------------
  const n = [];
  const pushStats = input.notifier?.applicable ? checkPushes(input.notifier, n) : undefined;

  const verdict = (id, name, problems, extra = {}) => ({
    id,
    name,
    ok: problems.length === 0,
    problems: problems.length,
    examples: problems.slice(0, 10),
    ...extra,
  });
  const verdicts = [
    verdict(
      'a',
      'every acknowledged write is in the event store and on the topic, one event per (contact, version)',
      a,
      { redeliveredCopies: redelivered },
    ),
    verdict(
      'b',
      'read models equal a fresh rebuild and hold every acknowledged write (and no refused one)',
      b,
    ),
    verdict('c', 'no duplicate ids, no operation applied twice', c),
    verdict('d', 'no 5xx but 503 with Retry-After, no request hung past the gateway timeout', d),
    verdict('e', 'the dead-letter topic is empty', e),
    verdict('f', 'every app answers /readyz 200', f),
    input.notifier?.applicable
      ? verdict('n', 'no push sent twice for one event; every SmartLink event pushed', n, {
          pushes: pushStats,
        })
      : {
          id: 'n',
          name: 'no push sent twice for one event',
          ok: true,
          notApplicable: input.notifier?.reason ?? 'not applicable',
          problems: 0,
          examples: [],
        },
  ];

  // --- one row per fault ----------------------------------------------------------------------
  const faults = input.faults ?? [];
  const rows = faults.map((fault, i) => {
    const from = fault.start;
    const to = faults[i + 1]?.start ?? fault.end ?? from;
    const inWindow = (t) => t >= from && t < to;
    const windowOps = ops.filter((op) => inWindow(op.started));
    const windowWrites = [...writes, ...groupOps, ...aggregateOps, ...publicOps].filter((w) =>
      inWindow(w.started),
    );
    // An answer belongs to the window it arrived in (a request sent just before a kill fails after it).
    const writeAttempts = ops.flatMap((op) => op.attempts).filter((x) => inWindow(x.at + x.ms));
    const readAttempts = history.reads.filter((x) => inWindow(x.at + x.ms));
    const all = [...writeAttempts, ...readAttempts];
    const problems = windowOps.map((op) => problemsByOp.get(op.op) ?? { lost: 0, duplicated: 0 });
    return {
      id: fault.id,
      fault: fault.name,
      acknowledged: windowWrites.length,
      lost: problems.reduce((s, p) => s + p.lost, 0),
      duplicated: problems.reduce((s, p) => s + p.duplicated, 0),
      unexpected5xx: all.filter(isUnexpected5xx).length,
      hung: all.filter((x) => x.hung).length,
      status503: all.filter((x) => x.status === 503).length,
      refused: windowOps.filter((op) => op.outcome === 'refused').length,
      unknown: windowOps.filter((op) => op.outcome === 'unknown').length,
      writeOutageMs: Math.round(longestOutage(writeAttempts, from, to)),
      readOutageMs: Math.round(longestOutage(readAttempts, from, to)),
      recoverMs:
        fault.recoveredAt !== undefined && fault.healStart !== undefined
          ? Math.round(fault.recoveredAt - fault.healStart)
          : null,
      note: fault.note,
    };
  });
  const totals = {
    operations: ops.length,
    acknowledged: writes.length + groupOps.length + aggregateOps.length + publicOps.length,
    groupWrites: groupOps.length,
    noteTaskWrites: aggregateOps.filter((op) => op.aggregate === 'note' || op.aggregate === 'task').length,
    smartlinkWrites: aggregateOps.filter((op) => op.aggregate === 'smartlink').length + publicOps.length,
    refused: ops.filter((op) => op.outcome === 'refused').length,
    unknown: ops.filter((op) => op.outcome === 'unknown').length,
    lost: [...problemsByOp.values()].reduce((s, p) => s + p.lost, 0),
    duplicated: [...problemsByOp.values()].reduce((s, p) => s + p.duplicated, 0),
    unexpected5xx: attempts.filter(isUnexpected5xx).length,
    hung: attempts.filter((x) => x.hung).length,
    status503: attempts.filter((x) => x.status === 503).length,
    reads: history.reads.length,
    redeliveredCopies: redelivered,
    storeEvents: store.length,
    topicMessages: kafka.length,
  };
  return { ok: verdicts.every((v) => v.ok), verdicts, rows, totals };
}

module.exports = { check, acknowledgedWrites, diffModels, longestOutage, canonical, markersIn };
