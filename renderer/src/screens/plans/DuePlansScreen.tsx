import { useEffect, useId, useState } from 'react';
import type { AppError, PermittedUnit, PlanDueItem } from '#contract';
import { onDataChanged } from '../../state/data-changed';
import { useNav } from '../../state/nav-store';
import { useSession } from '../../state/session-store';
import { PlanError } from './PlanContentView';
import { duePlans } from './plans-actions';
import { S } from './sv-plans';
import './plans.css';

/**
 * "Planer att följa upp" for a unit: clients without a set plan after execution, yearly revisions
 * and planned follow-ups due within 30 days or overdue, the most overdue first (from the store).
 */
export function DuePlansScreen() {
  const ids = useId();
  const { go, params } = useNav();
  const units: PermittedUnit[] = useSession((s) => s.session?.units ?? []);
  const unitId = params.unitId ?? units[0]?.unitId ?? '';
  const [items, setItems] = useState<PlanDueItem[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    if (!unitId) return;
    let live = true;
    const load = () =>
      void duePlans(unitId).then((r) => {
        if (!live) return;
        if (r.ok) {
          setItems(r.value);
          setError(null);
        } else setError(r.error);
      });
    load();
    const off = onDataChanged(['plan', 'assignment', 'client'], load);
    return () => {
      live = false;
      off();
    };
  }, [unitId]);
  return (
    <section aria-labelledby={`${ids}-h`} className="plan-due">
      <h2 id={`${ids}-h`}>{S.dueHeading}</h2>
      <div className="field inline-left">
        <label htmlFor={`${ids}-unit`}>{S.dueUnit}</label>
        <select id={`${ids}-unit`} value={unitId} onChange={(e) => go('plans', { unitId: e.target.value })}>
          {units.map((u) => (
            <option key={u.unitId} value={u.unitId}>
              {u.name}
            </option>
          ))}
        </select>
      </div>
      {error && <PlanError error={error} generic={S.dueEmpty} />}
      {items && items.length === 0 && <p>{S.dueEmpty}</p>}
      {items && items.length > 0 && (
        <table className="due-table">
          <thead>
            <tr>
              <th scope="col">{S.dueCols.client}</th>
              <th scope="col">{S.dueCols.reason}</th>
              <th scope="col">{S.dueCols.due}</th>
              <th scope="col">{S.dueCols.overdue}</th>
              <th scope="col">
                <span className="visually-hidden">{S.open}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={`${i.clientId}-${i.reason}-${i.planId ?? ''}`} className={i.daysOverdue > 0 ? 'overdue' : ''}>
                <td>{i.clientName}</td>
                <td>{S.dueReason[i.reason]}</td>
                <td>{i.dueDate}</td>
                <td>{S.overdue(i.daysOverdue)}</td>
                <td>
                  <button type="button" className="button-link" onClick={() => go('clients', { clientId: i.clientId, tab: 'plan' })}>
                    {S.open}
                    <span className="visually-hidden">: {i.clientName}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
