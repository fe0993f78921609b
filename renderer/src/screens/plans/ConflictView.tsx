import { useState } from 'react';
import { currentVersion, type AppError, type LocalPlan, type PlanConflict } from '#contract';
import { PlanContentView, PlanDiff, PlanError } from './PlanContentView';
import { resolveConflict } from './plans-actions';
import { S } from './sv-plans';

/** A draft the server refused as stale: the saved version and the user's side by side, and the choice. */
export function ConflictView({ conflict, plan, onResolved }: { conflict: PlanConflict; plan: LocalPlan | null; onResolved(): void }) {
  const [error, setError] = useState<AppError | null>(null);
  const theirs = plan ? (plan.draft?.content ?? currentVersion(plan)?.content ?? null) : null;
  const resolve = async (keep: 'mine' | 'theirs') => {
    const r = await resolveConflict(conflict.mutationId, keep);
    if (r.ok) onResolved();
    else setError(r.error);
  };
  return (
    <section className="plan-conflict" role="region" aria-labelledby={`conflict-${conflict.mutationId}`}>
      <h4 id={`conflict-${conflict.mutationId}`}>{S.conflictHeading}</h4>
      <p>{S.conflictText}</p>
      <div className="plan-sides">
        <div>
          <h5>{S.theirs}</h5>
          {theirs ? <PlanContentView content={theirs} /> : <p>—</p>}
        </div>
        <div>
          <h5>{S.mine}</h5>
          <PlanContentView content={conflict.mine} />
        </div>
      </div>
      {theirs && <PlanDiff before={theirs} after={conflict.mine} heading={`${S.theirs} → ${S.mine}`} />}
      {error && <PlanError error={error} generic={S.conflictText} />}
      <div className="actions">
        <button type="button" onClick={() => void resolve('mine')}>
          {S.keepMine}
        </button>
        <button type="button" className="button-outline" onClick={() => void resolve('theirs')}>
          {S.keepTheirs}
        </button>
      </div>
    </section>
  );
}
