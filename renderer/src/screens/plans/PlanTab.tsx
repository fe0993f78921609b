import { useCallback, useEffect, useState } from 'react';
import { currentConsent, currentVersion, emptyPlanContent, swedishDate, swedishDateTime, type AppError, type ClientRecord, type LocalPlan, type PlanConflict } from '#contract';
import { ConfirmStep } from '../../components/ConfirmStep';
import { DateField } from '../../components/DateField';
import { onDataChanged } from '../../state/data-changed';
import { useLatest } from '../../state/latest';
import { ConflictView } from './ConflictView';
import { PlanContentView, PlanDiff, PlanError } from './PlanContentView';
import { PlanEditor, type EditorStart } from './PlanEditor';
import { ConsentSection, FollowUpSection } from './PlanRecords';
import { exportPlan, loadClientPlans, setPlan, workInProgress } from './plans-actions';
import { S } from './sv-plans';
import './plans.css';

/**
 * A client's implementation plan ("Genomförandeplan"): the current set version, the draft in
 * progress (edited offline, autosaved, "Ej skickat (N)" until the server has it) and setting it,
 * the versions with what changed, follow-ups and consent; a draft the server refused as stale is
 * shown beside the saved one for the user to choose. Opening it is a read in the access log.
 */
export function PlanTab({ client }: { client: ClientRecord }) {
  const [plans, setPlans] = useState<LocalPlan[] | null>(null);
  const [conflicts, setConflicts] = useState<PlanConflict[]>([]);
  const [error, setError] = useState<AppError | null>(null);
  const [editing, setEditing] = useState<EditorStart | null>(null);

  const latest = useLatest();
  const load = useCallback(
    () =>
      latest(loadClientPlans(client.id), ([p, c]) => {
        if (!p.ok) return setError(p.error);
        setPlans(p.value);
        setError(null);
        if (c.ok) setConflicts(c.value);
      }),
    [client.id, latest],
  );

  useEffect(() => {
    void load();
    // A working copy left by a lock, a crash or a restart opens the editor again.
    void workInProgress(client.id).then((r) => {
      if (r.ok && r.value) setEditing({ clientId: client.id, planId: r.value.planId, baseRevision: r.value.baseRevision, basedOnVersionId: r.value.basedOnVersionId, content: r.value.content });
    });
    return onDataChanged(['plan'], () => void load());
  }, [load, client.id]);

  if (error) return <PlanError error={error} generic={S.none} />;
  if (!plans) return <p aria-live="polite">…</p>;
  const plan = plans[0] ?? null;

  const startEditing = (p: LocalPlan | null) => {
    if (!p) return setEditing({ clientId: client.id, planId: undefined, baseRevision: 0, basedOnVersionId: null, content: emptyPlanContent() });
    const v = currentVersion(p);
    setEditing({ clientId: client.id, planId: p.id, baseRevision: p.revision, basedOnVersionId: p.draft?.basedOnVersionId ?? v?.id ?? null, content: p.draft?.content ?? v?.content ?? emptyPlanContent() });
  };

  return (
    <section aria-labelledby="plan-h" className="plan-tab">
      <h3 id="plan-h">
        {S.heading} {plan && plan.pending > 0 && <span className="badge badge-pending">{S.pending(plan.pending)}</span>}
      </h3>
      {conflicts.map((c) => (
        <ConflictView key={c.mutationId} conflict={c} plan={plans.find((p) => p.id === c.planId) ?? null} onResolved={() => void load()} />
      ))}
      {editing ? (
        <PlanEditor
          key={editing.planId ?? 'new'}
          start={editing}
          onDone={() => {
            setEditing(null);
            void load();
          }}
        />
      ) : !plan ? (
        <>
          <p>{S.none}</p>
          <button type="button" onClick={() => startEditing(null)}>
            {S.create}
          </button>
        </>
      ) : (
        <PlanOverview plan={plan} onEdit={() => startEditing(plan)} />
      )}
    </section>
  );
}

function PlanOverview({ plan, onEdit }: { plan: LocalPlan; onEdit(): void }) {
  const v = currentVersion(plan);
  const consent = currentConsent(plan);
  const [exported, setExported] = useState<string | null>(null);
  const [exportError, setExportError] = useState<AppError | null>(null);
  const exportPdf = async () => {
    const r = await exportPlan(plan.id);
    if (!r.ok) return setExportError(r.error);
    const d = r.value.delivery;
    // The browser host hands the PDF out as a download; Electron has asked with its save dialog.
    if (d.kind === 'download') {
      const a = document.createElement('a');
      a.href = d.url;
      a.download = r.value.fileName;
      a.click();
    }
    setExported(S.exported(d, r.value.fileName));
  };
  return (
    <>
      <p className="plan-status">
        {v ? S.current(v.versionNo, v.setOn, `${v.setBy.name}, ${v.setBy.title}`) : S.notSet}
        {' · '}
        {consent ? S.consentStatus.given : S.noConsent}
      </p>
      <div className="actions">
        <button type="button" onClick={onEdit}>
          {plan.draft ? S.continueDraft : S.revise}
        </button>
        {v && (
          <button type="button" className="button-outline" onClick={() => void exportPdf()}>
            {S.exportPdf}
          </button>
        )}
      </div>
      {exported && <p role="status">{exported}</p>}
      {exportError && <PlanError error={exportError} generic={S.exportPdf} />}
      {plan.draft && <DraftSection plan={plan} />}
      {v && (
        <section aria-labelledby="plan-current-h" className="plan-card">
          <h4 id="plan-current-h">{S.current(v.versionNo, v.setOn, v.setBy.name)}</h4>
          <PlanContentView content={v.content} />
        </section>
      )}
      <VersionsSection plan={plan} />
      <FollowUpSection plan={plan} />
      <ConsentSection plan={plan} />
    </>
  );
}

function DraftSection({ plan }: { plan: LocalPlan }) {
  const [setOn, setSetOn] = useState(swedishDate());
  const [error, setError] = useState<AppError | null>(null);
  const draft = plan.draft!;
  const v = currentVersion(plan);
  const [asking, setAsking] = useState(false);
  const set = async () => {
    setAsking(false);
    setError(null);
    const r = await setPlan({ planId: plan.id, revision: plan.revision, setOn });
    if (!r.ok) setError(r.error);
  };
  return (
    <section aria-labelledby="plan-draft-h" className="plan-card plan-draft">
      <h4 id="plan-draft-h">{S.draftHeading}</h4>
      <p className="hint">{S.draftBy(draft.savedBy.name, swedishDateTime(draft.savedAt))}</p>
      <PlanContentView content={draft.content} />
      {v && <PlanDiff before={v.content} after={draft.content} heading={S.diffHeading(v.versionNo, v.versionNo + 1)} />}
      <form
        className="field-row"
        onSubmit={(e) => {
          e.preventDefault();
          setAsking(true);
        }}
      >
        <DateField id="plan-set-on" label={S.setOn} value={setOn} max={swedishDate()} required disabled={asking} onChange={setSetOn} />
        {!asking && <button type="submit">{S.setButton}</button>}
      </form>
      {asking && <ConfirmStep question={S.setQuestion((v?.versionNo ?? 0) + 1, setOn)} yes={S.setYes} no={S.notNow} onYes={() => void set()} onNo={() => setAsking(false)} />}
      <p className="hint">{S.setHint}</p>
      {error && <PlanError error={error} generic={S.setButton} />}
    </section>
  );
}

function VersionsSection({ plan }: { plan: LocalPlan }) {
  const [open, setOpen] = useState<string | null>(null);
  if (plan.versions.length === 0) return null;
  return (
    <section aria-labelledby="plan-versions-h" className="plan-card">
      <h4 id="plan-versions-h">{S.versions}</h4>
      <ol className="plan-versions">
        {[...plan.versions].reverse().map((v) => {
          const prev = plan.versions.find((x) => x.versionNo === v.versionNo - 1);
          return (
            <li key={v.id}>
              <span>{S.versionLabel(v.versionNo, S.status[v.status], v.setOn)}</span>{' '}
              {prev && (
                <button type="button" className="button-link" aria-expanded={open === v.id} onClick={() => setOpen(open === v.id ? null : v.id)}>
                  {open === v.id ? S.hideDiff : S.showDiff} (v{v.versionNo})
                </button>
              )}
              {prev && open === v.id && <PlanDiff before={prev.content} after={v.content} heading={S.diffHeading(prev.versionNo, v.versionNo)} />}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
