import { ksiListSource } from '#contract';
import { useKsiList } from './ksi-store';
import { S } from './sv-plans';

/**
 * For the administrator (the server's configuration, AssurancePanel): which KSI list the plan
 * editor offers — the organisation's file (KSI_LIST_FILE) or the example list, said to be not
 * Socialstyrelsen's — and when this PC last got it (docs/operations.md, "The KSI list").
 */
export function KsiListPanel() {
  const { copy } = useKsiList();
  if (!copy) return null;
  return (
    <section aria-labelledby="ksi-list-heading">
      <h4 id="ksi-list-heading">{S.ksiAdminHeading}</h4>
      <p>{ksiListSource(copy.list)}</p>
      <p className="hint">{copy.list.source === 'example' ? S.ksiAdminExample : S.ksiAdminFile}</p>
    </section>
  );
}
