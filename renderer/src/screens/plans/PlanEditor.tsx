import { useEffect, useId, useRef, useState } from 'react';
import { ksiLabel, ksiListSource, LifeArea, LIFE_AREA_LABELS_SV, ParticipantRole, type AppError, type InboxItem, type PlanActivity, type PlanContent } from '#contract';
import { ConfirmStep } from '../../components/ConfirmStep';
import { DateField } from '../../components/DateField';
import { useKsiList } from './ksi-store';
import { PlanError } from './PlanContentView';
import { clientAssignments, discardWork, saveDraft, saveWork, workInProgress } from './plans-actions';
import { S } from './sv-plans';

const AUTOSAVE_MS = 500;
const clock = (iso: string) => new Date(iso).toLocaleTimeString('sv-SE', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const newId = () => crypto.randomUUID();

export interface EditorStart {
  clientId: string;
  planId: string | undefined;
  baseRevision: number;
  basedOnVersionId: string | null;
  content: PlanContent;
}

/**
 * The plan's draft being written. Every change is saved as the working copy in the encrypted store
 * (debounced), so a lock, crash or restart loses nothing; "Spara utkast" queues the draft (shown as
 * "Ej skickat" until the server has it) and the working copy goes.
 */
export function PlanEditor({ start, onDone }: { start: EditorStart; onDone(saved: boolean): void }) {
  const ids = useId();
  const ksi = useKsiList();
  const [content, setContent] = useState<PlanContent>(start.content);
  const [base, setBase] = useState({ planId: start.planId, baseRevision: start.baseRevision, basedOnVersionId: start.basedOnVersionId });
  const [loaded, setLoaded] = useState(false);
  const [restoredAt, setRestoredAt] = useState<string | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [newArea, setNewArea] = useState<LifeArea | ''>('');
  const [assignments, setAssignments] = useState<InboxItem[]>([]);

  useEffect(() => {
    let live = true;
    // The client's assignments, so the plan can say which it covers.
    void clientAssignments(start.clientId).then((r) => live && r.ok && setAssignments(r.value.items));
    void workInProgress(start.clientId).then((r) => {
      if (!live) return;
      if (r.ok && r.value && r.value.planId === (start.planId ?? r.value.planId)) {
        setContent(r.value.content);
        setBase({ planId: r.value.planId, baseRevision: r.value.baseRevision, basedOnVersionId: r.value.basedOnVersionId });
        setRestoredAt(r.value.savedAt);
      }
      setLoaded(true);
    });
    return () => {
      live = false;
    };
  }, [start.clientId, start.planId]);

  const planId = base.planId ?? start.planId;
  // A new plan gets its id with its first autosave, so the working copy and the draft agree.
  const idRef = useRef(planId ?? newId());
  useEffect(() => {
    if (!loaded || !dirty) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      void saveWork({ clientId: start.clientId, planId: planId ?? idRef.current, baseRevision: base.baseRevision, basedOnVersionId: base.basedOnVersionId, content }).then((r) => r.ok && setSavedAt(r.value.savedAt));
    }, AUTOSAVE_MS);
    return () => clearTimeout(timer.current);
  }, [content, loaded, dirty, base, planId, start.clientId]);

  const edit = (f: (c: PlanContent) => PlanContent) => {
    setDirty(true);
    setContent((c) => f(c));
  };
  const setArea = (i: number, f: (a: PlanContent['areas'][number]) => PlanContent['areas'][number]) => edit((c) => ({ ...c, areas: c.areas.map((a, k) => (k === i ? f(a) : a)) }));
  const setActivity = (i: number, patch: Partial<PlanActivity>) => edit((c) => ({ ...c, activities: c.activities.map((a, k) => (k === i ? { ...a, ...patch } : a)) }));

  const save = async () => {
    clearTimeout(timer.current);
    setBusy(true);
    setError(null);
    // Goals and activities added but left empty are not part of the draft.
    const kept: PlanContent = {
      ...content,
      areas: content.areas.map((a) => ({ ...a, goals: a.goals.filter((g) => g.text.trim() !== '') })),
      activities: content.activities.filter((a) => a.what.trim() !== '' || a.who.trim() !== ''),
    };
    const id = planId ?? idRef.current;
    const r = await saveDraft({ clientId: start.clientId, planId: id, baseRevision: base.baseRevision, basedOnVersionId: base.basedOnVersionId, content: kept });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    onDone(true);
  };
  const [discarding, setDiscarding] = useState(false);
  const discard = async () => {
    clearTimeout(timer.current);
    await discardWork(start.clientId);
    onDone(false);
  };

  const field = (id: string, label: string, value: string, set: (v: string) => void, opts: { rows?: number; max?: number; required?: boolean } = {}) => (
    <div className="field">
      <label htmlFor={`${ids}-${id}`}>{label}</label>
      {opts.rows ? (
        <textarea id={`${ids}-${id}`} rows={opts.rows} value={value} maxLength={opts.max ?? 4000} onChange={(e) => set(e.target.value)} />
      ) : (
        <input id={`${ids}-${id}`} value={value} maxLength={opts.max ?? 500} required={opts.required} onChange={(e) => set(e.target.value)} />
      )}
    </div>
  );
  const unused = LifeArea.options.filter((a) => !content.areas.some((x) => x.lifeArea === a));

  return (
    <form
      className="plan-editor"
      aria-labelledby={`${ids}-h`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3 id={`${ids}-h`}>{S.editorHeading}</h3>
      {restoredAt && (
        <p className="notice" role="status">
          {S.restored(clock(restoredAt))}
        </p>
      )}
      {assignments.length > 0 && (
        <fieldset className="plan-fieldset">
          <legend>{S.assignments}</legend>
          {assignments.map((a) => (
            <div key={a.id} className="field checkbox">
              <label>
                <input
                  type="checkbox"
                  checked={content.assignmentIds.includes(a.id)}
                  onChange={(e) => edit((c) => ({ ...c, assignmentIds: e.target.checked ? [...c.assignmentIds, a.id] : c.assignmentIds.filter((x) => x !== a.id) }))}
                />{' '}
                {a.services} ({a.decisionReference})
              </label>
            </div>
          ))}
        </fieldset>
      )}
      {field('goals', S.clientGoals, content.clientGoals, (v) => edit((c) => ({ ...c, clientGoals: v })), { rows: 3 })}

      <fieldset className="plan-fieldset">
        <legend>{S.areas}</legend>
        {content.areas.map((a, i) => (
          <div key={a.lifeArea} className="plan-area-edit">
            <h4>{LIFE_AREA_LABELS_SV[a.lifeArea]}</h4>
            {field(`needs-${a.lifeArea}`, `${S.needs}: ${LIFE_AREA_LABELS_SV[a.lifeArea]}`, a.needs, (v) => setArea(i, (x) => ({ ...x, needs: v })), { rows: 2 })}
            {a.goals.map((g, k) =>
              field(`goal-${g.id}`, `${S.goal(k + 1)}: ${LIFE_AREA_LABELS_SV[a.lifeArea]}`, g.text, (v) => setArea(i, (x) => ({ ...x, goals: x.goals.map((y) => (y.id === g.id ? { ...y, text: v } : y)) })), { max: 2000 }),
            )}
            <div className="actions">
              <button type="button" className="button-plain" onClick={() => setArea(i, (x) => ({ ...x, goals: [...x.goals, { id: newId(), text: '' }] }))}>
                {S.addGoal} ({LIFE_AREA_LABELS_SV[a.lifeArea]})
              </button>
              <button type="button" className="button-plain" onClick={() => edit((c) => ({ ...c, areas: c.areas.filter((_, k) => k !== i) }))}>
                {S.removeArea(LIFE_AREA_LABELS_SV[a.lifeArea])}
              </button>
            </div>
          </div>
        ))}
        {unused.length > 0 && (
          <div className="field-row">
            <div className="field">
              <label htmlFor={`${ids}-new-area`}>{S.chooseArea}</label>
              <select id={`${ids}-new-area`} value={newArea} onChange={(e) => setNewArea(e.target.value as LifeArea | '')}>
                <option value="">—</option>
                {unused.map((a) => (
                  <option key={a} value={a}>
                    {LIFE_AREA_LABELS_SV[a]}
                  </option>
                ))}
              </select>
            </div>
            <button
              type="button"
              className="button-outline"
              disabled={!newArea}
              onClick={() => {
                if (!newArea) return;
                edit((c) => ({ ...c, areas: [...c.areas, { lifeArea: newArea, needs: '', goals: [{ id: newId(), text: '' }] }] }));
                setNewArea('');
              }}
            >
              {S.addArea}
            </button>
          </div>
        )}
      </fieldset>

      <fieldset className="plan-fieldset">
        <legend>{S.activities}</legend>
        {ksi.copy && (
          <p className="hint" id={`${ids}-ksi-source`}>
            {S.ksiSource(ksiListSource(ksi.copy.list), ksi.copy.fetchedAt)}
          </p>
        )}
        {content.activities.map((a, i) => (
          <div key={a.id} className="plan-activity-edit">
            <h4>{S.activity(i + 1)}</h4>
            <div className="field-row">
              {field(`what-${a.id}`, `${S.what} (${S.activity(i + 1).toLowerCase()})`, a.what, (v) => setActivity(i, { what: v }), { max: 2000 })}
              {field(`who-${a.id}`, `${S.who} (${S.activity(i + 1).toLowerCase()})`, a.who, (v) => setActivity(i, { who: v }), { max: 200 })}
            </div>
            <div className="field-row">
              {field(`how-${a.id}`, `${S.how} (${S.activity(i + 1).toLowerCase()})`, a.how, (v) => setActivity(i, { how: v }), { max: 2000 })}
              {field(`when-${a.id}`, `${S.when} (${S.activity(i + 1).toLowerCase()})`, a.when, (v) => setActivity(i, { when: v }))}
              <div className="field">
                <label htmlFor={`${ids}-ksi-${a.id}`}>{`${S.ksi} (${S.activity(i + 1).toLowerCase()})`}</label>
                {/* Picked from the organisation's KSI list (ksi-store.ts), never typed; an old plan's code outside it stays shown until changed. */}
                <select id={`${ids}-ksi-${a.id}`} value={a.ksiCode ?? ''} onChange={(e) => setActivity(i, { ksiCode: e.target.value || null })} aria-describedby={`${ids}-ksi-source`}>
                  <option value="">{S.noKsi}</option>
                  {a.ksiCode && !ksi.index.has(a.ksiCode) && <option value={a.ksiCode}>{S.ksiNotInList(a.ksiCode)}</option>}
                  {ksi.copy?.list.entries.map((k) => (
                    <option key={k.code} value={k.code}>
                      {ksiLabel(k.code, ksi.index)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor={`${ids}-area-${a.id}`}>{`${S.activityArea} (${S.activity(i + 1).toLowerCase()})`}</label>
                <select id={`${ids}-area-${a.id}`} value={a.lifeArea ?? ''} onChange={(e) => setActivity(i, { lifeArea: (e.target.value || null) as LifeArea | null })}>
                  <option value="">{S.noArea}</option>
                  {content.areas.map((x) => (
                    <option key={x.lifeArea} value={x.lifeArea}>
                      {LIFE_AREA_LABELS_SV[x.lifeArea]}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            <button type="button" className="button-plain" onClick={() => edit((c) => ({ ...c, activities: c.activities.filter((_, k) => k !== i) }))}>
              {S.removeActivity(i + 1)}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="button-outline"
          onClick={() => edit((c) => ({ ...c, activities: [...c.activities, { id: newId(), lifeArea: c.areas[0]?.lifeArea ?? null, what: '', who: '', how: '', when: '', ksiCode: null }] }))}
        >
          {S.addActivity}
        </button>
      </fieldset>

      {field('participation', S.participation, content.participation, (v) => edit((c) => ({ ...c, participation: v })), { rows: 2 })}
      <fieldset className="plan-fieldset">
        <legend>{S.others}</legend>
        {content.othersPresent.map((o, i) => (
          <div key={i} className="field-row">
            <div className="field">
              <label htmlFor={`${ids}-role-${i}`}>{S.otherRole(i + 1)}</label>
              <select
                id={`${ids}-role-${i}`}
                value={o.role}
                onChange={(e) => edit((c) => ({ ...c, othersPresent: c.othersPresent.map((x, k) => (k === i ? { ...x, role: e.target.value as ParticipantRole } : x)) }))}
              >
                {ParticipantRole.options.map((r) => (
                  <option key={r} value={r}>
                    {S.roles[r]}
                  </option>
                ))}
              </select>
            </div>
            {field(`other-${i}`, S.otherName(i + 1), o.name, (v) => edit((c) => ({ ...c, othersPresent: c.othersPresent.map((x, k) => (k === i ? { ...x, name: v } : x)) })), { max: 200 })}
          </div>
        ))}
        <button type="button" className="button-plain" onClick={() => edit((c) => ({ ...c, othersPresent: [...c.othersPresent, { role: 'relative', name: '' }] }))}>
          {S.addOther}
        </button>
      </fieldset>
      {field('cooperation', S.cooperation, content.cooperation, (v) => edit((c) => ({ ...c, cooperation: v })), { rows: 2 })}
      <div className="field-row">
        <DateField id={`${ids}-fu-date`} label={S.followUpDate} value={content.followUp.date ?? ''} onChange={(v) => edit((c) => ({ ...c, followUp: { ...c.followUp, date: v || null } }))} />
        {field('fu-how', S.followUpHow, content.followUp.how, (v) => edit((c) => ({ ...c, followUp: { ...c.followUp, how: v } })), { max: 2000 })}
      </div>
      {error && <PlanError error={error} generic={S.conflictText} />}
      <div className="actions">
        <button type="submit" disabled={busy || !loaded}>
          {S.saveDraft}
        </button>
        <button type="button" className="button-plain" onClick={() => onDone(false)}>
          {S.close}
        </button>
        {!discarding && (
          <button type="button" className="button-plain" onClick={() => setDiscarding(true)}>
            {S.discard}
          </button>
        )}
        <span className="draft-state" role="status" aria-live="polite">
          {savedAt ? S.autosaved(clock(savedAt)) : ''}
        </span>
      </div>
      {discarding && <ConfirmStep question={S.discardQuestion} yes={S.discardYes} no={S.notNow} onYes={() => void discard()} onNo={() => setDiscarding(false)} />}
    </form>
  );
}
