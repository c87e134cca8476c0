import { ALERT_KINDS, SecurityAlerts } from '../alerts/security-alerts';
import { type Database, type RosterTable, type TenantRepositories } from '../db/database';
import { type RosterImportFileError } from '../db/repositories/roster-import.repository';
import { type RosterSnapshot } from '../domain/roster';
import { type BlobStore } from '../adapters/storage';
import {
  readCounts,
  readErrorsFound,
  type RosterImportCountKey,
  type RosterImportCounts,
} from '../domain/roster-import/counts';
import {
  checkAgainstDatabase,
  diffGuardianLinks,
  diffMemberships,
  diffSchools,
  diffSections,
  diffUsers,
  planRemovals,
  type RosterDbState,
} from './diff';
import {
  bulkRemovals,
  exceedsConfirmed,
  type MassChangeReason,
  massChangeReasons,
  previewRosterChanges,
  type RemovalCounts,
} from './mass-change';
import {
  type RosterApplyPhase,
  type RosterImportInput,
  type RosterImportPhase,
} from '../domain/roster-import/phases';
import { snapshotSha256 } from './snapshot-hash';
import { RosterImportUnavailableError, type RosterSnapshotSource } from './snapshot-source';

/** At most this many errors, and as many warnings, are stored (and shown); the totals are kept beside them. */
export const MAX_STORED_ERRORS = 1_000;

/** The `file` of errors about the import as a whole rather than a row of the export. */
export const IMPORT_FILE = '(import)';

export type RosterImportOutcome =
  | { status: 'succeeded' }
  | { status: 'failed'; reason: 'invalid-export' }
  | { status: 'failed'; reason: 'stopped'; phase: RosterImportPhase };

/**
 * `held`: the import waits for an admin; `apply`: the phases run now; `unchanged`: the roster is
 * already what the export makes it (see {@link RosterImporter.validate}), so no phase runs.
 */
export type RosterDecision = 'apply' | 'held' | 'unchanged';

export type RosterValidation =
  | { ok: true; kind: RosterSnapshot['kind']; decision: RosterDecision; heldAlertId?: string }
  | { ok: false; errorCount: number };

/** The security alert raised when an import is held. */
export const ROSTER_IMPORT_HELD_ALERT = ALERT_KINDS.rosterImportHeld;

export interface RosterImporterDeps {
  db: Database;
  store: BlobStore;
  snapshots: RosterSnapshotSource;
}

export interface RosterImporterOptions {
  /**
   * Rows per transaction. 5,000 rather than 1,000: each transaction costs a few round trips and a
   * counter update, which at 1,000 rows was about as much as the rows themselves; a batch of 5,000
   * still commits in a fraction of a second, well inside the heartbeat and transaction timeouts.
   */
  batchSize?: number;
  transactionTimeoutMs?: number;
}

type Heartbeat = () => void;

/**
 * A phase that changed at least this many rows refreshes the planner statistics of its tables before
 * it returns, so an announcement posted right after a district's first import (or a term's new
 * sections) is planned with the new rows counted, not as the one-row guess PostgreSQL makes for an
 * unseen district until autovacuum gets to it (Database.analyze). Below it, estimates that are off
 * cost little and autovacuum catches up on its own.
 */
export const ANALYZE_AFTER_CHANGED_ROWS = 500;

/** The tables each phase writes. */
const PHASE_TABLES: Record<RosterApplyPhase, readonly RosterTable[]> = {
  schools: ['schools'],
  sections: ['sections'],
  users: ['users'],
  memberships: ['section_memberships'],
  guardianLinks: ['guardian_links'],
  removals: ['users', 'sections', 'schools'],
};

/** What validation loads and the hold decision reads: the phases' rows, and every membership's pair. */
type DecisionState = Pick<RosterDbState, 'schools' | 'sections' | 'users'> & {
  membershipPairs: { sectionId: string; userId: string }[];
};

/**
 * Reconciles a district's roster with a parsed OneRoster export. Each phase recomputes its diff from
 * the export and the current database and applies it in batches, one transaction per batch, each
 * transaction also adding what it changed to the import's counters. A phase run again after a crash
 * finds the committed batches done and adds nothing for them, so the end state and the counts are the
 * same as for an uninterrupted run.
 */
export class RosterImporter {
  private readonly batchSize: number;
  private readonly transactionTimeoutMs: number;

  constructor(
    private readonly deps: RosterImporterDeps,
    options: RosterImporterOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 5_000;
    this.transactionTimeoutMs = options.transactionTimeoutMs ?? 60_000;
  }

  /**
   * Parses the export and checks it against the database; a refused export is recorded, nothing else.
   * An export whose content another import already applied, to roster tables that have not changed
   * since (same content hash, same {@link RosterSyncRepository.fingerprint}), is `unchanged`: every
   * phase's diff would find nothing to do, so none runs and no roster row is read. Otherwise it is
   * previewed against the same rows and either held (a mass change) or left to apply; `confirmed`
   * says an admin confirmed it after an earlier hold.
   */
  async validate(ref: RosterImportInput, confirmed = false): Promise<RosterValidation> {
    const row = await this.tenant(ref).rosterImports.findById(ref.importId);
    // A retry after the hold committed: the decision stands.
    if (row?.status === 'held') return { ok: true, kind: 'bulk', decision: 'held' };
    const parsed = await this.deps.snapshots.load(ref);
    let errors: RosterImportFileError[];
    if (parsed.ok) {
      const sync = this.tenant(ref).rosterSync;
      const contentSha256 = snapshotSha256(parsed.snapshot);
      await this.tenant(ref).rosterImports.recordSnapshotHash(ref.importId, contentSha256);
      const fingerprint = await sync.fingerprint();
      if (await this.tenant(ref).rosterImports.succeededWith(contentSha256, fingerprint, ref.importId)) {
        await this.recordWarnings(ref, parsed.warnings);
        return { ok: true, kind: parsed.kind, ...(await this.decide(ref, null, null)) };
      }
      const [schools, sections, users, membershipPairs] = await Promise.all([
        sync.loadSchools(),
        sync.loadSections(),
        sync.loadUsers(),
        sync.loadMembershipPairs(),
      ]);
      errors = checkAgainstDatabase(parsed.snapshot, { schools, sections, users });
      if (errors.length === 0) {
        await this.recordWarnings(ref, parsed.warnings);
        const current = { schools, sections, users, membershipPairs };
        const against = { snapshot: parsed.snapshot, current };
        const verdict = await this.decide(ref, against, confirmed ? row : null);
        return { ok: true, kind: parsed.kind, ...verdict };
      }
    } else {
      errors = parsed.errors;
    }
    await this.tenant(ref).rosterImports.recordErrors(
      ref.importId,
      errors.slice(0, MAX_STORED_ERRORS),
      errors.length,
    );
    this.deps.snapshots.forget(ref);
    return { ok: false, errorCount: errors.length };
  }

  private async recordWarnings(ref: RosterImportInput, warnings: RosterImportFileError[]): Promise<void> {
    if (warnings.length === 0) return;
    await this.tenant(ref).rosterImports.recordWarnings(
      ref.importId,
      warnings.slice(0, MAX_STORED_ERRORS),
      warnings.length,
    );
  }

  /**
   * Holds the import if it is a mass change against the `current` rows (unless this is the confirmed
   * run of what an admin saw; `against` is null for an unchanged roster, which changes nothing), and
   * in the same transaction, under the district's intake lock, discards any other held import: this
   * newer export supersedes it, so a district never has more than one waiting.
   */
  private async decide(
    ref: RosterImportInput,
    against: { snapshot: RosterSnapshot; current: DecisionState } | null,
    confirmedRow: { pending: unknown } | null,
  ): Promise<{ decision: RosterDecision; heldAlertId?: string }> {
    const { massChangeThresholdPercent } = await this.tenant(ref).rosterSettings.get();
    const pending = against
      ? await this.massChange(
          ref,
          against.snapshot,
          against.current,
          massChangeThresholdPercent,
          confirmedRow,
        )
      : null;
    const now = new Date();
    const outcome = await this.inTransaction(ref, async (tenant) => {
      await tenant.rosterImports.lockIntake();
      const superseded = await tenant.rosterImports.heldOthers(ref.importId);
      for (const other of superseded) {
        if (!(await tenant.rosterImports.discard(other.id, now))) continue;
        await tenant.audit.append({
          actorId: null,
          action: 'roster.import.discarded',
          targetType: 'roster_import',
          targetId: other.id,
          details: { importId: other.id, reason: 'superseded', supersededBy: ref.importId },
        });
      }
      if (!pending) return { superseded, decision: against ? ('apply' as const) : ('unchanged' as const) };
      const { counts: pendingCounts, reasons } = pending;
      if (!(await tenant.rosterImports.hold(ref.importId, pendingCounts, now)))
        return { superseded, decision: 'held' as const };
      const details = {
        importId: ref.importId,
        thresholdPercent: massChangeThresholdPercent,
        reasons: reasons.join(','),
        reheld: confirmedRow !== null,
        usersRemoved: pendingCounts.usersRemoved,
        enrollmentsRemoved: pendingCounts.enrollmentsRemoved,
        schoolsRemoved: pendingCounts.schoolsRemoved,
      };
      const alertId = await new SecurityAlerts(tenant).rosterImportHeld(details);
      await tenant.audit.append({
        actorId: null,
        action: 'roster.import.held',
        targetType: 'roster_import',
        targetId: ref.importId,
        details: { ...details, pending: pendingCounts, alertId },
      });
      return { superseded, decision: 'held' as const, heldAlertId: alertId };
    });
    for (const other of outcome.superseded) {
      if (!other.blobPath) continue;
      await this.deps.store.delete(other.blobPath);
      await this.tenant(ref).rosterImports.clearBlobPath(other.id);
    }
    if (outcome.decision === 'held') this.deps.snapshots.forget(ref);
    return outcome.heldAlertId
      ? { decision: outcome.decision, heldAlertId: outcome.heldAlertId }
      : { decision: outcome.decision };
  }

  /**
   * The import's full preview and why it is a mass change, or null when it applies at once. A bulk
   * export's removals are counted cheaply first; the full preview (and the guardian links it needs)
   * is only computed for an import about to be held, or for a delta.
   */
  private async massChange(
    ref: RosterImportInput,
    snapshot: RosterSnapshot,
    { membershipPairs, ...current }: DecisionState,
    thresholdPercent: number,
    confirmedRow: { pending: unknown } | null,
  ): Promise<{ counts: RosterImportCounts; reasons: MassChangeReason[] } | null> {
    const sync = this.tenant(ref).rosterSync;
    const membershipCount = membershipPairs.length;
    // A first import removes nothing: it is not even counted, so it is as fast as before.
    const nothingToLose =
      membershipCount === 0 &&
      current.users.every((user) => !user.active || user.sourcedId === null) &&
      current.schools.every((school) => !school.active || school.sourcedId === null);
    if (nothingToLose) return null;
    const preview = async () => {
      const [memberships, guardianLinks] = await Promise.all([
        sync.loadMemberships(),
        sync.loadGuardianLinks(),
      ]);
      return previewRosterChanges(snapshot, { ...current, memberships, guardianLinks });
    };
    let counts: RosterImportCounts | null = null;
    let removals: RemovalCounts;
    if (snapshot.kind === 'bulk') removals = bulkRemovals(snapshot, current, membershipPairs);
    else removals = counts = await preview();
    const reasons = massChangeReasons(removals, { users: current.users, membershipCount }, thresholdPercent);
    if (reasons.length === 0) return null;
    counts ??= await preview();
    if (confirmedRow && !exceedsConfirmed(counts, readCounts(confirmedRow.pending))) return null;
    return { counts, reasons };
  }

  /** Applies one phase; returns the import's counters after it. */
  async applyPhase(
    ref: RosterImportInput,
    phase: RosterApplyPhase,
    heartbeat: Heartbeat,
  ): Promise<RosterImportCounts> {
    const snapshot = await this.snapshotOf(ref);
    heartbeat();
    const before = await this.counts(ref);
    const sync = this.tenant(ref).rosterSync;
    switch (phase) {
      case 'schools': {
        const plan = diffSchools(snapshot, await sync.loadSchools());
        await this.inBatches(ref, plan.update, 'schoolsUpdated', heartbeat, (t, batch) =>
          t.rosterSync.updateSchools(batch),
        );
        await this.inBatches(ref, plan.create, 'schoolsCreated', heartbeat, (t, batch) =>
          t.rosterSync.insertSchools(batch),
        );
        break;
      }
      case 'sections': {
        const [schools, sections] = await Promise.all([sync.loadSchools(), sync.loadSections()]);
        const plan = diffSections(snapshot, { schools, sections });
        await this.inBatches(ref, plan.update, 'sectionsUpdated', heartbeat, (t, batch) =>
          t.rosterSync.updateSections(batch),
        );
        await this.inBatches(ref, plan.create, 'sectionsCreated', heartbeat, (t, batch) =>
          t.rosterSync.insertSections(batch),
        );
        break;
      }
      case 'users':
        await this.applyUsers(ref, snapshot, heartbeat);
        break;
      case 'memberships': {
        const [sections, users, memberships] = await Promise.all([
          sync.loadSections(),
          sync.loadUsers(),
          sync.loadMemberships(),
        ]);
        const plan = diffMemberships(snapshot, { sections, users, memberships });
        heartbeat();
        await this.inBatches(ref, plan.remove, 'enrollmentsRemoved', heartbeat, (t, batch) =>
          t.rosterSync.deleteMemberships(batch),
        );
        await this.inBatches(ref, plan.update, 'enrollmentsUpdated', heartbeat, (t, batch) =>
          t.rosterSync.updateMemberships(batch),
        );
        await this.inBatches(ref, plan.add, 'enrollmentsAdded', heartbeat, (t, batch) =>
          t.rosterSync.insertMemberships(batch),
        );
        break;
      }
      case 'guardianLinks': {
        const [users, guardianLinks] = await Promise.all([sync.loadUsers(), sync.loadGuardianLinks()]);
        const plan = diffGuardianLinks(snapshot, { users, guardianLinks });
        heartbeat();
        await this.inBatches(ref, plan.remove, 'guardianLinksRemoved', heartbeat, (t, batch) =>
          t.rosterSync.deleteGuardianLinks(batch),
        );
        await this.inBatches(ref, plan.add, 'guardianLinksAdded', heartbeat, (t, batch) =>
          t.rosterSync.insertGuardianLinks(batch),
        );
        break;
      }
      case 'removals': {
        const [schools, sections, users] = await Promise.all([
          sync.loadSchools(),
          sync.loadSections(),
          sync.loadUsers(),
        ]);
        const plan = planRemovals(snapshot, { schools, sections, users });
        // Deactivation and session revocation commit together: access is gone the moment either is seen.
        await this.inBatches(ref, plan.users, 'usersRemoved', heartbeat, async (t, batch) => {
          const now = new Date();
          const removed = await t.rosterSync.deactivateUsers(batch, now);
          await t.sessions.revokeAllForUsers(batch, now);
          return removed;
        });
        await this.inBatches(ref, plan.sections, 'sectionsRemoved', heartbeat, (t, batch) =>
          t.rosterSync.deactivateSections(batch),
        );
        await this.inBatches(ref, plan.schools, 'schoolsRemoved', heartbeat, (t, batch) =>
          t.rosterSync.deactivateSchools(batch),
        );
        break;
      }
    }
    const after = await this.counts(ref);
    if (changedRows(before, after) >= ANALYZE_AFTER_CHANGED_ROWS) {
      await this.deps.db.analyze(PHASE_TABLES[phase]);
      heartbeat();
    }
    return after;
  }

  /**
   * Records the outcome once (a retry after the commit changes nothing and audits nothing), with its
   * audit event in the same transaction, then deletes the stored export: the database now holds what
   * Homeroom keeps of it.
   */
  async finish(ref: RosterImportInput, outcome: RosterImportOutcome): Promise<RosterImportCounts> {
    const row = await this.tenant(ref).rosterImports.findById(ref.importId);
    if (!row) throw new RosterImportUnavailableError(`roster import ${ref.importId} does not exist`);
    await this.inTransaction(ref, async (tenant) => {
      const errors: RosterImportFileError[] | undefined =
        outcome.status === 'failed' && outcome.reason === 'stopped'
          ? [
              {
                file: IMPORT_FILE,
                line: 0,
                message: `the import stopped in its ${outcome.phase} phase after repeated failures; the batches applied so far stay, and importing the same export again completes it`,
              },
            ]
          : undefined;
      // Taken in the transaction that records success, so a later export with the same content can be
      // told whether the roster still is what this import left.
      const rosterFingerprint =
        outcome.status === 'succeeded' ? await tenant.rosterSync.fingerprint() : undefined;
      const finished = await tenant.rosterImports.finish(ref.importId, {
        status: outcome.status,
        finishedAt: new Date(),
        errors,
        ...(rosterFingerprint ? { rosterFingerprint } : {}),
      });
      if (!finished) return;
      const stored = await tenant.rosterImports.counts(ref.importId);
      await tenant.audit.append({
        actorId: row.createdById,
        action: `roster.import.${outcome.status}`,
        targetType: 'roster_import',
        targetId: ref.importId,
        details: {
          importId: ref.importId,
          source: row.source,
          counts: readCounts(stored),
          ...(row.warningCount > 0 ? { warningsFound: row.warningCount } : {}),
          ...(outcome.status === 'failed'
            ? { reason: outcome.reason, errorsFound: readErrorsFound(stored) ?? errors?.length ?? 0 }
            : {}),
        },
      });
    });
    if (row.blobPath) {
      await this.deps.store.delete(row.blobPath);
      await this.tenant(ref).rosterImports.clearBlobPath(ref.importId);
    }
    this.deps.snapshots.forget(ref);
    return this.counts(ref);
  }

  async counts(ref: RosterImportInput): Promise<RosterImportCounts> {
    return readCounts(await this.tenant(ref).rosterImports.counts(ref.importId));
  }

  private async applyUsers(
    ref: RosterImportInput,
    snapshot: RosterSnapshot,
    heartbeat: Heartbeat,
  ): Promise<void> {
    const sync = this.tenant(ref).rosterSync;
    const [schools, users] = await Promise.all([sync.loadSchools(), sync.loadUsers()]);
    const plan = diffUsers(snapshot, { schools, users });
    heartbeat();
    const update = async (tenant: TenantRepositories, batch: typeof plan.update) => {
      const now = new Date();
      const updated = await tenant.rosterSync.updateUsers(batch, now);
      await tenant.sessions.revokeAllForUsers(
        batch.filter((user) => user.endsAccess).map((user) => user.id),
        now,
      );
      return updated;
    };
    if (plan.renames.length > 0) {
      await this.inTransaction(ref, async (tenant) => {
        await tenant.rosterSync.releaseUsernames(plan.renames.map((user) => user.id));
        await tenant.rosterImports.addCounts(ref.importId, {
          usersUpdated: await update(tenant, plan.renames),
        });
      });
      heartbeat();
    }
    await this.inBatches(ref, plan.update, 'usersUpdated', heartbeat, update);
    await this.inBatches(ref, plan.create, 'usersCreated', heartbeat, (t, batch) =>
      t.rosterSync.insertUsers(batch, new Date()),
    );
  }

  private async inBatches<T>(
    ref: RosterImportInput,
    rows: readonly T[],
    counter: RosterImportCountKey,
    heartbeat: Heartbeat,
    write: (tenant: TenantRepositories, batch: T[]) => Promise<number>,
  ): Promise<void> {
    for (let start = 0; start < rows.length; start += this.batchSize) {
      const batch = rows.slice(start, start + this.batchSize);
      await this.inTransaction(ref, async (tenant) => {
        const changed = await write(tenant, batch);
        await tenant.rosterImports.addCounts(ref.importId, { [counter]: changed });
      });
      heartbeat();
    }
  }

  /** Database.transaction with a timeout sized for a batch of a large district rather than a request. */
  private inTransaction<T>(
    ref: RosterImportInput,
    work: (tenant: TenantRepositories) => Promise<T>,
  ): Promise<T> {
    return this.deps.db.transaction(ref.districtId, work, {
      timeoutMs: this.transactionTimeoutMs,
      maxWaitMs: 10_000,
    });
  }

  private tenant(ref: RosterImportInput): TenantRepositories {
    return this.deps.db.forDistrict(ref.districtId);
  }

  private async snapshotOf(ref: RosterImportInput): Promise<RosterSnapshot> {
    const parsed = await this.deps.snapshots.load(ref);
    if (!parsed.ok)
      throw new RosterImportUnavailableError(`the export of roster import ${ref.importId} does not parse`);
    return parsed.snapshot;
  }
}

function changedRows(before: RosterImportCounts, after: RosterImportCounts): number {
  return (Object.keys(after) as RosterImportCountKey[]).reduce(
    (sum, key) => sum + after[key] - before[key],
    0,
  );
}
