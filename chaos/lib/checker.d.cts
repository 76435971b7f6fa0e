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
  kind: 'create' | 'bulk' | 'update' | 'delete' | 'restore' | 'group-create' | 'group-add' | 'group-remove';
  principal: string;
  started: number;
  ended?: number;
  attempts: Attempt[];
  outcome?: 'ack' | 'refused' | 'unknown';
  scope?: 'user' | 'company';
  tenant?: number;
  contactId?: number;
  groupId?: number;
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
}

export interface ReadDoc {
  _id: string;
  _v: number;
  id: number;
  city?: string | null;
  first_name?: string | null;
  [field: string]: unknown;
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
  readModels: { user: ReadDoc[]; company: ReadDoc[] };
  rebuilt: { user: ReadDoc[]; company: ReadDoc[] } | null;
  dlq: number;
  readiness: Record<string, number>;
  notifier?: { applicable: boolean; reason?: string; pushes?: { eventId: string; device: string }[] };
}

export interface Verdict {
  id: string;
  name: string;
  ok: boolean;
  problems: number;
  examples: string[];
  notApplicable?: string;
  redeliveredCopies?: number;
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
export function acknowledgedWrites(
  ops: Operation[],
): { op: number; kind: string; contactId: number; version: number }[];
