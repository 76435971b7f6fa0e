// Types of chaos/lib/checker.cjs (the pure checker: history and evidence in, verdicts out).

export interface Attempt {
  at: number;
  ms: number;
  status: number;
  retryAfter?: number;
  hung?: boolean;
  error?: string;
  code?: string;
}

export interface Operation {
  op: number;
  kind:
    | 'create'
    | 'bulk'
    | 'update'
    | 'delete'
    | 'restore'
    | 'group-create'
    | 'group-add'
    | 'group-remove'
    | 'note-create'
    | 'task-create'
    | 'task-complete'
    | 'smartlink-create'
    | 'smartlink-open'
    | 'smartlink-activity';
  principal: string;
  started: number;
  ended?: number;
  attempts: Attempt[];
  outcome?: 'ack' | 'refused' | 'unknown';
  scope?: 'user' | 'company';
  tenant?: number;
  contactId?: number;
  groupId?: number;
  /** Notes, tasks and SmartLinks: the aggregate written and its id. */
  aggregate?: 'note' | 'task' | 'smartlink';
  aggregateId?: number;
  /** A public SmartLink open or beacon (no version: the event is found by SmartLink and marker). */
  public?: boolean;
  smartlinkId?: number;
  version?: number | null;
  marker?: string;
  size?: number;
  created?: { id: number; version: number; marker: string }[];
}

export interface StoredEvent {
  id: string;
  type: string;
  aggregate_id: number;
  aggregate_version: number;
  data?: Record<string, unknown> & { first_name?: string; name?: string; changes?: { city?: string } };
  /** Notes, tasks, SmartLinks: the load's marker the event carries (collect.cjs markerOf). */
  marker?: string;
  company_id?: number;
  user_id?: number | null;
}

export interface PushEvidence {
  applicable: boolean;
  reason?: string;
  /** What the local push service received (decrypted), per device. */
  pushes?: { device: string; body: string }[];
  rejected?: { device: string; reason: string }[];
  /** The SmartLink topic's events (opens and activities carry the load's markers). */
  events?: StoredEvent[];
  /** The device registered for each rep: 'company_id:user_id' -> device name. */
  devices?: Record<string, string>;
}

export interface ReadDoc {
  _id: string;
  _v: number;
  id: number;
  city?: string | null;
  first_name?: string | null;
  [field: string]: unknown;
}

export interface ReadModels {
  user: ReadDoc[];
  company: ReadDoc[];
  groups?: ReadDoc[];
  notes?: ReadDoc[];
  tasks?: ReadDoc[];
}

export interface FaultWindow {
  id: string;
  name: string;
  start: number;
  healStart?: number;
  recoveredAt?: number;
  end?: number;
  note?: string;
}

export interface CheckInput {
  history: { ops: Operation[]; reads: Attempt[] };
  faults: FaultWindow[];
  store: StoredEvent[];
  kafka: StoredEvent[];
  /** The groups' event store and topic, when the load wrote groups. */
  groupStore?: StoredEvent[];
  groupKafka?: StoredEvent[];
  /** Notes, tasks and SmartLinks: each one's event store and topic. */
  aggregates?: Record<string, { store: StoredEvent[]; kafka: StoredEvent[] }>;
  readModels: ReadModels;
  rebuilt: ReadModels | null;
  dlq: number;
  readiness: Record<string, number>;
  notifier?: PushEvidence;
}

export interface Verdict {
  id: string;
  name: string;
  ok: boolean;
  problems: number;
  examples: string[];
  notApplicable?: string;
  redeliveredCopies?: number;
  pushes?: { received: number; events: number; pushed: number; toldUnnamed: number; noDevice: number };
}

export interface FaultRow {
  id: string;
  fault: string;
  acknowledged: number;
  lost: number;
  duplicated: number;
  unexpected5xx: number;
  hung: number;
  status503: number;
  refused: number;
  unknown: number;
  writeOutageMs: number;
  readOutageMs: number;
  recoverMs: number | null;
  note?: string;
}

export interface CheckResult {
  ok: boolean;
  verdicts: Verdict[];
  rows: FaultRow[];
  totals: Record<string, number>;
}

export function check(input: CheckInput): CheckResult;
export function longestOutage(attempts: Attempt[], from: number, to: number): number;
export function diffModels(live: ReadDoc[], rebuilt: ReadDoc[]): string[];
export function canonical(value: unknown): string;
export function markersIn(text: string): string[];
export function acknowledgedWrites(
  ops: Operation[],
): { op: number; kind: string; contactId: number; version: number }[];
